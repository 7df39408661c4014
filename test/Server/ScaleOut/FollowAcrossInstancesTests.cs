using LettaSockets.Protocol.Json;
using LettaSockets.Simulator;

namespace LettaSockets.Server.Tests.ScaleOut;

/// <summary>
/// Following across gateway instances: two gateway processes behind nginx with one Letta. A client
/// that follows the agent through nginx sees, live and whole, a turn another client started on the
/// other instance — Letta is the only place both instances learn of it.
/// </summary>
[TestClass]
public sealed class FollowAcrossInstancesTests
{
    [TestMethod]
    public async Task A_follower_on_one_instance_sees_a_turn_started_on_the_other()
    {
        if (!NginxProcess.IsInstalled)
        {
            Assert.Inconclusive($"nginx is not installed ({NginxProcess.Binary}); .ci/run installs nginx-light.");
        }

        string words = string.Join(' ', Enumerable.Range(1, 120).Select(i => $"token{i}"));
        await using SimulatorHost letta = await SimulatorHost.StartAsync(new SimulatorOptions { Port = 0 }).WaitAsync(TimeSpan.FromSeconds(30));
        string agent = $"agent-{Guid.NewGuid()}";
        letta.Simulator.Agents.Add(new SimAgent(agent, "Shared", _ => AgentScript.Create().Say(words).WithTokenDelay(TimeSpan.FromMilliseconds(10))));
        await using GatewayProcess a = await GatewayProcess.StartAsync(letta.BaseUrl, "gw-a", "--Sockets:FollowPollInterval=00:00:00.200");
        await using GatewayProcess b = await GatewayProcess.StartAsync(letta.BaseUrl, "gw-b", "--Sockets:FollowPollInterval=00:00:00.200");
        await using NginxProcess nginx = await NginxProcess.StartAsync([a.Port, b.Port]);

        await using TestClient follower = await TestClient.ConnectAsync(new Uri($"ws://127.0.0.1:{nginx.Port}/ws/{agent}"));
        string followerInstance = follower.Ready.Server!["instance"].GetString()!;
        GatewayProcess other = followerInstance == "gw-a" ? b : a;
        await using TestClient author = await TestClient.ConnectAsync(new Uri($"ws://127.0.0.1:{other.Port}/ws/{agent}"));
        await follower.SendJsonAsync(new { type = "follow", id = "f" });
        Assert.AreEqual("following", (await follower.ReadUntilAsync(f => f.Id == "f"))[^1].Type);

        await author.SendJsonAsync(new { type = "message", id = "t", content = "go", resumable = true });
        List<ServerFrame> own = await author.ReadTurnAsync("t", TimeSpan.FromSeconds(30));
        ServerFrame end = (await follower.ReadUntilAsync(f => f.Followed == true && f.IsTerminal, TimeSpan.FromSeconds(30)))[^1];
        List<ServerFrame> followed = [.. follower.Received.Where(f => f.Id == end.Id)];

        Assert.AreNotEqual(followerInstance, author.Ready.Server!["instance"].GetString(), "the two clients are on different instances");
        Assert.AreEqual("done", end.Type);
        Assert.AreEqual(words, TestClient.Text(followed), "the whole turn, from its first event");
        Assert.AreEqual(TestClient.Text(own), TestClient.Text(followed));
        Assert.AreEqual(own.First(f => f.RunId is not null).RunId, end.RunId);
    }
}
