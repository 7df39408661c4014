using System.Net;
using LettaSockets.Simulator.Tests.TestSupport;
using Microsoft.Extensions.Time.Testing;

namespace LettaSockets.Simulator.Tests.Runs;

[TestClass]
public sealed class RunRetentionTests
{
    private static async Task<string> RunToEndAsync(SimTest sim, bool background = false) =>
        (await sim.StreamToEndAsync(SimTest.Body("hi", background: background)))[0].Str("run_id")!;

    private static async Task<HttpStatusCode> StatusOfAsync(SimTest sim, string runId)
    {
        using var response = await sim.Client.GetAsync($"/v1/runs/{runId}").WaitAsync(SimTest.Timeout);
        return response.StatusCode;
    }

    [TestMethod]
    public async Task Beyond_the_count_limit_the_oldest_finished_runs_are_forgotten()
    {
        await using var sim = await SimTest.StartAsync(o => o.MaxRetainedRuns = 3);
        sim.AddAgent(_ => AgentScript.Create().Say("x"));
        var runs = new List<string>();
        for (var i = 0; i < 5; i++)
        {
            runs.Add(await RunToEndAsync(sim, background: i % 2 == 0));
        }

        Assert.AreEqual(3, sim.Sim.Runs.Count);
        CollectionAssert.AreEqual(runs[2..], sim.Sim.Runs.All.Select(r => r.Id).ToList());
        Assert.AreEqual(HttpStatusCode.NotFound, await StatusOfAsync(sim, runs[0]));
        Assert.AreEqual(HttpStatusCode.OK, await StatusOfAsync(sim, runs[4]));
        Assert.HasCount(5, sim.Sim.History.All.Where(m => m.MessageType == "user_message"), "the history outlives the runs, as Letta's message table does");
    }

    [TestMethod]
    public async Task An_active_run_is_never_forgotten()
    {
        await using var sim = await SimTest.StartAsync(o =>
        {
            o.MaxRetainedRuns = 1;
            o.PaceMultiplier = 1;
        });
        sim.AddAgent(_ => AgentScript.Create().Say("x"));
        sim.AddAgent(_ => AgentScript.Create().Say("slow").Pause(TimeSpan.FromMinutes(5)), DemoAgents.AdaId);
        await using var slow = await sim.StreamAsync(SimTest.Body("wait", background: true), DemoAgents.AdaId);
        var active = (await slow.ReadEventAsync())!.Str("run_id")!;

        for (var i = 0; i < 3; i++)
        {
            await RunToEndAsync(sim);
        }

        var kept = sim.Sim.Runs.All.Select(r => r.Id).ToList();
        using var cancel = await sim.PostAsync($"/v1/agents/{DemoAgents.AdaId}/messages/cancel", null);

        Assert.HasCount(2, kept, "the active run, and room for the newest");
        Assert.AreEqual(active, kept[0]);
        Assert.AreEqual(HttpStatusCode.OK, cancel.StatusCode, "the active run could still be cancelled");
    }

    [TestMethod]
    public async Task Finished_runs_are_forgotten_after_their_lifetime_and_answer_410_before()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow) { AutoAdvanceAmount = TimeSpan.FromMilliseconds(1) };
        await using var sim = await SimTest.StartAsync(o => o.RetainedRunLifetime = TimeSpan.FromHours(6), time);
        sim.AddAgent(_ => AgentScript.Create().Say("x"));
        var old = await RunToEndAsync(sim, background: true);

        time.Advance(TimeSpan.FromHours(4));
        using var expired = await sim.PostAsync($"/v1/runs/{old}/stream", "{}");
        var expiredStatus = expired.StatusCode;
        await RunToEndAsync(sim);
        var stillKnown = await StatusOfAsync(sim, old);

        time.Advance(TimeSpan.FromHours(3));
        var recent = await RunToEndAsync(sim);
        var forgotten = await StatusOfAsync(sim, old);

        Assert.AreEqual(HttpStatusCode.Gone, expiredStatus, "past RunRetention (3 h) a re-attach is Letta's 410");
        Assert.AreEqual(HttpStatusCode.OK, stillKnown);
        Assert.AreEqual(HttpStatusCode.NotFound, forgotten, "past RetainedRunLifetime (6 h) the run is gone");
        Assert.AreEqual(HttpStatusCode.OK, await StatusOfAsync(sim, recent));
    }

    [TestMethod]
    public void The_new_limits_are_validated_with_every_other_setting()
    {
        var errors = new SimulatorOptions { MaxRetainedRuns = 0, RetainedRunLifetime = TimeSpan.Zero, MaxRetainedMessages = 0, Port = -1 }.Validate();

        Assert.HasCount(4, errors, string.Join(" ", errors));
        Assert.IsTrue(errors.Any(e => e.StartsWith("MaxRetainedRuns", StringComparison.Ordinal)));
        Assert.IsTrue(errors.Any(e => e.StartsWith("RetainedRunLifetime", StringComparison.Ordinal)));
        Assert.IsTrue(errors.Any(e => e.StartsWith("MaxRetainedMessages", StringComparison.Ordinal)));
    }
}
