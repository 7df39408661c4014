using LettaSockets.Protocol.Json;
using LettaSockets.Simulator;

namespace LettaSockets.Server.Tests.Hardening;

/// <summary>docs/PROTOCOL.md, "Connecting": keepalive pings with a timeout detect a dead peer, not only keep it alive.</summary>
[TestClass]
public sealed class KeepAliveTests
{
    [TestMethod]
    public async Task A_peer_that_stops_answering_pings_is_dropped_and_its_run_cancelled()
    {
        await using TestGateway gateway = await TestGateway.StartAsync(
            new Dictionary<string, string?>
            {
                ["Sockets:KeepAliveInterval"] = "00:00:00.300",
                ["Sockets:KeepAliveTimeout"] = "00:00:00.600",
            },
            simulator: s => s.PaceMultiplier = 1);
        string agent = gateway.AddAgent(_ => AgentScript.Create().Say(string.Join(' ', Enumerable.Range(1, 2000).Select(i => $"w{i}"))).WithTokenDelay(TimeSpan.FromMilliseconds(10)));
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        await using RawWebSocket peer = await RawWebSocket.ConnectAsync(gateway.BaseUri, $"/ws/{agent}", timeout.Token);

        await peer.SendTextAsync("{\"type\":\"message\",\"id\":\"k\",\"content\":\"go\"}", timeout.Token);
        string? runId = null;
        int pings = 0;
        bool ended = false;
        while (await peer.ReceiveAsync(timeout.Token) is { } frame)
        {
            if (frame.Opcode == 0x9)
            {
                pings++; // and never a pong
            }
            else if (frame.Opcode == 0x1)
            {
                ServerFrame parsed = ServerFrame.Parse(frame.Payload);
                runId ??= parsed.Status == "running" ? parsed.RunId : null;
                ended |= parsed.IsTerminal;
            }
        }

        Assert.IsNotNull(runId, "the turn was streaming when the server gave up on the peer");
        Assert.IsTrue(pings >= 1, "the server pinged");
        CancelRecord cancel = await gateway.Simulator.Journal.WaitForCancelAsync(runId, timeout.Token);
        Assert.AreEqual(agent, cancel.AgentId);
        Assert.IsFalse(ended, "the connection was dropped mid-turn, not after it");
    }
}
