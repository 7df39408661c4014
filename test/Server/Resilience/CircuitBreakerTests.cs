using System.Net;
using LettaSockets.Protocol.Json;
using LettaSockets.Server.Tests.Support;
using LettaSockets.Simulator;

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
            ["Letta:CircuitBreaker:MinimumThroughput"] = "4", // the readiness probe below is the first (successful) request
            ["Letta:CircuitBreaker:FailureRatio"] = "0.5",
            ["Letta:CircuitBreaker:SamplingDuration"] = "00:01:00",
            ["Letta:CircuitBreaker:BreakDuration"] = "00:01:00",
        });
        string agent = gateway.AddAgent(_ => AgentScript.Create().Say("fine"));
        gateway.Simulator.Faults.Enqueue(SimFault.Http(500).ForAgent(agent).Repeat(3));
        await using TestClient client = await gateway.ConnectAsync(agent);
        var (readyBefore, _) = await UpgradeProbe.GetAsync(gateway.BaseUri, "/readyz");

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
    }
}
