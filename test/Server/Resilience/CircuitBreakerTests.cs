using System.Net;
using LettaSockets.Protocol.Json;
using LettaSockets.Simulator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Time.Testing;

namespace LettaSockets.Server.Tests.Resilience;

/// <summary>After repeated upstream failures new turns fail fast instead of piling up on Letta.</summary>
[TestClass]
public sealed class CircuitBreakerTests
{
    [TestMethod]
    public async Task Repeated_5xx_open_the_circuit_then_turns_fail_fast_without_reaching_letta()
    {
        await using TestGateway gateway = await TestGateway.StartAsync(new Dictionary<string, string?>
        {
            ["Letta:MaxRetries"] = "0",
            ["Letta:CircuitBreaker:MinimumThroughput"] = "4", // the slow turn below is the first (successful) request
            ["Letta:CircuitBreaker:FailureRatio"] = "0.5",
            ["Letta:CircuitBreaker:SamplingDuration"] = "00:01:00",
            ["Letta:CircuitBreaker:BreakDuration"] = "00:01:00",
        });
        string agent = gateway.AddAgent(_ => AgentScript.Create().Say("fine"));
        string slow = gateway.AddAgent(_ => AgentScript.Create().Say("a b c").Pause(TimeSpan.FromSeconds(60)).Say("never"));
        gateway.Simulator.Faults.Enqueue(SimFault.Http(500).ForAgent(agent).Repeat(3));
        await using TestClient client = await gateway.ConnectAsync(agent);
        var (readyBefore, _) = await UpgradeProbe.GetAsync(gateway.BaseUri, "/readyz");
        await client.SendMessageAsync("slow", "hi", slow);
        string slowRun = (await client.ReadUntilAsync(f => f.Id == "slow" && f.Status == "running"))[^1].RunId!;

        for (int i = 0; i < 3; i++)
        {
            await client.SendMessageAsync($"f{i}", "hi");
            ServerFrame failed = (await client.ReadTurnAsync($"f{i}"))[^1];
            Assert.AreEqual("upstream_unavailable", failed.Code);
            StringAssert.Contains(failed.Message, "HTTP 500");
        }

        await client.SendMessageAsync("fast", "hi");
        ServerFrame fast = (await client.ReadTurnAsync("fast"))[^1];
        var (readyAfter, body) = await UpgradeProbe.GetAsync(gateway.BaseUri, "/readyz");

        Assert.AreEqual(HttpStatusCode.OK, readyBefore);
        Assert.AreEqual("upstream_unavailable", fast.Code);
        Assert.IsTrue(fast.Retryable);
        Assert.IsTrue(fast.RetryAfterMs is > 0 and <= 60_000, $"retry_after_ms says when to try again ({fast.RetryAfterMs})");
        Assert.AreEqual(3, gateway.Simulator.Journal.Messages.Count(m => m.AgentId == agent), "the fourth turn never reached Letta");
        Assert.AreEqual(HttpStatusCode.ServiceUnavailable, readyAfter, "an open circuit takes the instance out of rotation");
        StringAssert.Contains(body, "circuit");

        // Stopping a run is what a failing Letta needs most: cancel calls bypass the open circuit.
        await client.CancelAsync("slow");
        using var timeout = new CancellationTokenSource(TestClient.DefaultTimeout);
        await gateway.Simulator.Journal.WaitForCancelAsync(slowRun, timeout.Token);
    }

    [TestMethod]
    public async Task After_the_break_a_turn_reaches_letta_again_and_closes_the_circuit()
    {
        // The breaker's clock is the gateway's TimeProvider: a fake one, moved by the test alone.
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        await using TestGateway gateway = await TestGateway.StartAsync(
            new Dictionary<string, string?>
            {
                ["Letta:MaxRetries"] = "0",
                ["Letta:CircuitBreaker:MinimumThroughput"] = "2",
                ["Letta:CircuitBreaker:FailureRatio"] = "0.5",
                ["Letta:CircuitBreaker:SamplingDuration"] = "00:01:00",
                ["Letta:CircuitBreaker:BreakDuration"] = "00:00:30",
            },
            services: s => s.AddSingleton<TimeProvider>(clock));
        string agent = gateway.AddAgent(_ => AgentScript.Create().Say("fine"));
        gateway.Simulator.Faults.Enqueue(SimFault.Http(500).ForAgent(agent).Repeat(2));
        await using TestClient client = await gateway.ConnectAsync(agent);
        async Task<ServerFrame> TurnAsync(string id)
        {
            await client.SendMessageAsync(id, "hi");
            return (await client.ReadTurnAsync(id))[^1];
        }

        Assert.AreEqual("upstream_unavailable", (await TurnAsync("f0")).Code);
        Assert.AreEqual("upstream_unavailable", (await TurnAsync("f1")).Code);
        ServerFrame open = await TurnAsync("open");
        clock.Advance(TimeSpan.FromSeconds(29));
        ServerFrame stillOpen = await TurnAsync("still-open");
        int beforeBreakEnds = gateway.Simulator.Journal.Messages.Count(m => m.AgentId == agent);
        clock.Advance(TimeSpan.FromSeconds(2));
        ServerFrame recovered = await TurnAsync("recovered");
        ServerFrame after = await TurnAsync("after");

        Assert.AreEqual("upstream_unavailable", open.Code, "open: the turn fails fast");
        Assert.AreEqual(30_000, open.RetryAfterMs!.Value, 1_000, "and says when the break ends");
        Assert.AreEqual("upstream_unavailable", stillOpen.Code, "29 s later the circuit is still open");
        Assert.IsLessThanOrEqualTo(1_000, stillOpen.RetryAfterMs!.Value, "with a second at most left");
        Assert.AreEqual(2, beforeBreakEnds, "no turn reached Letta while the circuit was open");
        Assert.AreEqual("done", recovered.Type, "after the break a turn goes through (the half-open probe) and succeeds");
        Assert.AreEqual("done", after.Type, "and the circuit is closed again");
        Assert.AreEqual(4, gateway.Simulator.Journal.Messages.Count(m => m.AgentId == agent));
    }
}
