using System.Runtime.CompilerServices;
using LettaSockets.Simulator.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace LettaSockets.Simulator.Tests.Hosting;

[TestClass]
public sealed class SimulatorHostTests
{
    [TestMethod]
    public async Task A_disposed_host_is_collected_even_with_runs_and_streams_open_at_dispose()
    {
        // The test's own TimeProvider outlives the host: a timer left registered on it would root the host.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow) { AutoAdvanceAmount = TimeSpan.FromMilliseconds(1) };
        var (host, simulator) = await StartUseAndDisposeAsync(time);

        // Bounded: a leak keeps both alive through every round; a healthy host goes in the first.
        for (var round = 0; round < 10 && (host.IsAlive || simulator.IsAlive); round++)
        {
            GC.Collect();
            GC.WaitForPendingFinalizers();
            GC.Collect();
            await Task.Yield();
        }

        Assert.IsFalse(host.IsAlive, "the disposed SimulatorHost is still reachable");
        Assert.IsFalse(simulator.IsAlive, "the disposed host's LettaSimulator is still reachable");
        GC.KeepAlive(time);
    }

    /// <summary>
    /// Starts a host, plays finished, cancelled and abandoned turns (foreground, background, conversation), leaves a
    /// run and two streams open, disposes it, and keeps only weak references.
    /// </summary>
    [MethodImpl(MethodImplOptions.NoInlining)]
    private static async Task<(WeakReference Host, WeakReference Simulator)> StartUseAndDisposeAsync(FakeTimeProvider time)
    {
        var sim = await SimTest.StartAsync(o => o.KeepAliveInterval = TimeSpan.FromMilliseconds(50), time);
        var open = new List<SseStream>();
        try
        {
            sim.AddAgent(_ => AgentScript.Create().Reasoning("thinking").Say("Hello there"));
            await sim.StreamToEndAsync(SimTest.Body("hi"));
            await sim.StreamToEndAsync(SimTest.Body("again", background: true));
            var conversation = sim.Sim.Conversations.Create(SimTest.AgentId);
            using (var sent = await sim.PostAsync($"/v1/conversations/{conversation}/messages", SimTest.Body("in a conversation")))
            {
                await sent.Content.ReadAsStringAsync().WaitAsync(SimTest.Timeout);
            }

            // Runs that wait on the test's clock until the host stops them.
            sim.Sim.Options.PaceMultiplier = 1;
            sim.AddAgent(_ => AgentScript.Create().Say("slow").Pause(TimeSpan.FromHours(1)).Say("never"), DemoAgents.AdaId);
            foreach (var background in new[] { false, true })
            {
                var stream = await sim.StreamAsync(SimTest.Body("hang", background: background), DemoAgents.AdaId);
                await stream.ReadEventAsync();
                open.Add(stream);
            }

            var cancelled = await sim.StreamAsync(SimTest.Body("stop me", background: true), DemoAgents.AdaId);
            var runId = (await cancelled.ReadEventAsync())!.Str("run_id");
            using (await sim.PostAsync($"/v1/agents/{DemoAgents.AdaId}/messages/cancel", $"{{\"run_ids\":[\"{runId}\"]}}"))
            {
                await cancelled.DisposeAsync();
            }

            return (new WeakReference(sim.Host), new WeakReference(sim.Sim));
        }
        finally
        {
            await sim.DisposeAsync();
            foreach (var stream in open)
            {
                await stream.DisposeAsync();
            }
        }
    }
}
