using System.Net.WebSockets;
using LettaSockets.Protocol.Json;
using LettaSockets.Simulator;

namespace LettaSockets.Server.Tests.ScaleOut;

/// <summary>
/// Two gateway processes behind nginx with one Letta: the instance holding a streaming turn is
/// killed, the client reconnects through nginx and finishes the turn byte-exact on the other one.
/// Nothing but Letta holds the turn's state.
/// </summary>
[TestClass]
public sealed class NginxFailoverTests
{
    [TestMethod]
    public async Task A_turn_survives_the_loss_of_its_gateway_instance()
    {
        if (!NginxProcess.IsInstalled)
        {
            Assert.Inconclusive($"nginx is not installed ({NginxProcess.Binary}); .ci/run installs nginx-light.");
        }

        string words = string.Join(' ', Enumerable.Range(1, 400).Select(i => $"token{i}"));
        await using SimulatorHost letta = await SimulatorHost.StartAsync(new SimulatorOptions { Port = 0 }).WaitAsync(TimeSpan.FromSeconds(30));
        string agent = $"agent-{Guid.NewGuid()}";
        letta.Simulator.Agents.Add(new SimAgent(agent, "Failover", _ => AgentScript.Create().Say(words).WithTokenDelay(TimeSpan.FromMilliseconds(10))));

        await using GatewayProcess a = await GatewayProcess.StartAsync(letta.BaseUrl, "gw-a");
        await using GatewayProcess b = await GatewayProcess.StartAsync(letta.BaseUrl, "gw-b");
        await using NginxProcess nginx = await NginxProcess.StartAsync([a.Port, b.Port]);
        var uri = new Uri($"ws://127.0.0.1:{nginx.Port}/ws/{agent}");

        TestClient first = await TestClient.ConnectAsync(uri);
        string holder = first.Ready.Server!["instance"].GetString()!;
        await first.SendJsonAsync(new { type = "message", id = "t", content = "go", resumable = true });
        await first.ReadUntilAsync(_ => first.Received.Count(f => f.Type == "chunk") >= 30);

        (holder == "gw-a" ? a : b).Kill();
        await DrainUntilClosedAsync(first);
        List<ServerFrame> before = first.Received.Where(f => f.Id == "t").ToList();
        string runId = before.First(f => f.RunId is not null).RunId!;
        long afterSeq = before.Where(f => f.Seq is not null).Max(f => f.Seq!.Value);

        await using TestClient second = await TestClient.ConnectAsync(uri);
        string survivor = second.Ready.Server!["instance"].GetString()!;
        Assert.AreNotEqual(holder, survivor, "nginx sends the reconnect to the surviving instance");
        await second.SendJsonAsync(new { type = "resume", id = "t", run_id = runId, after_seq = afterSeq });
        List<ServerFrame> after = await second.ReadTurnAsync("t", TimeSpan.FromSeconds(30));

        Assert.AreEqual("done", after[^1].Type);
        Assert.AreEqual(words, TestClient.Text(before) + TestClient.Text(after), "byte-exact across the failover");
        Assert.IsFalse(letta.Simulator.Journal.Cancels.Any(c => c.TargetRunIds.Contains(runId)), "the run was never cancelled");
    }

    /// <summary>Reads what the dying connection still delivers, until it closes or breaks.</summary>
    private static async Task DrainUntilClosedAsync(TestClient client)
    {
        try
        {
            while (await client.TryReceiveAsync(TimeSpan.FromSeconds(15)) is not null)
            {
            }
        }
        catch (WebSocketException)
        {
        }
    }
}
