using LettaSockets.Protocol.Json;
using LettaSockets.Simulator;

namespace LettaSockets.Server.Tests.Security;

/// <summary>The per-connection message rate (token bucket): <c>rate_limited</c> with <c>retry_after_ms</c>.</summary>
[TestClass]
public sealed class RateLimitTests
{
    [TestMethod]
    public async Task Messages_beyond_the_burst_are_rate_limited_for_that_request_and_other_connections_are_not()
    {
        // One token a minute after a burst of 3: nothing refills during the test.
        await using TestGateway gateway = await TestGateway.StartAsync(new Dictionary<string, string?>
        {
            ["Limits:MessagesPerMinute"] = "1",
            ["Limits:MessageBurst"] = "3",
        });
        string slow = gateway.AddAgent(_ => AgentScript.Create().Pause(TimeSpan.FromSeconds(10)).Say("late"));
        await using TestClient client = await gateway.ConnectAsync(slow);
        await using TestClient neighbour = await gateway.ConnectAsync(DemoAgents.AdaId);

        for (int i = 1; i <= 5; i++)
        {
            await client.SendMessageAsync($"m{i}", "hi");
        }

        await client.ReadUntilAsync(_ => client.Received.Count(f => f.IsTerminal) == 4);
        ServerFrame[] limited = [.. client.Received.Where(f => f.Code == "rate_limited")];
        CollectionAssert.AreEqual(new[] { "m4", "m5" }, limited.Select(f => f.Id).ToArray());
        Assert.IsTrue(limited.All(f => f.Retryable == true && f.RetryAfterMs is > 1_000 and <= 60_000), "retry_after_ms says when a token is back");
        Assert.AreEqual("busy", client.Received.Single(f => f.Id == "m2").Code, "m2 and m3 took tokens and were refused for their own reason");

        await neighbour.SendMessageAsync("n", "count to 3");
        Assert.AreEqual("1 2 3", TestClient.Text(await neighbour.ReadTurnAsync("n")), "the limit is per connection");
        await client.CancelAsync("m1");
        Assert.AreEqual("client", (await client.ReadTurnAsync("m1"))[^1].CancelledBy, "a cancel is not a message: it is never rate limited");
    }
}
