using System.Net.WebSockets;
using LettaSockets.Protocol.Json;
using LettaSockets.Simulator;

namespace LettaSockets.Server.Tests.Hardening;

/// <summary>docs/PROTOCOL.md, rule 8 and "Slow readers": a slow reader gets merged deltas; a reader that stops is closed, its runs
/// cancelled, and the server's memory stays bounded whatever Letta sends.</summary>
[TestClass]
public sealed class SlowConsumerTests
{
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    [TestMethod]
    public async Task A_client_that_pauses_reading_gets_merged_frames_and_byte_exact_text()
    {
        // The queue holds the whole turn, so Letta's run completes while the client reads nothing. Sent one frame
        // per delta (about 150 bytes each) the turn is far larger than the kernel's socket buffers (at most 4 MiB
        // on the gateway's send side here, about 28,000 such frames), so the writer must wait for the client
        // whatever the timing, and what waits gets merged: fewer than half as many frames as deltas even if
        // the kernel takes its maximum unmerged.
        const int Words = 100_000;
        TimeSpan read = TimeSpan.FromSeconds(60);
        await using TestGateway gateway = await TestGateway.StartAsync(new Dictionary<string, string?>
        {
            ["Sockets:OutboundQueueCapacity"] = "262144",
            ["Sockets:MaxQueuedBytes"] = "67108864",
            ["Sockets:StallTimeout"] = "00:02:00", // not cut off as a stalled reader while it waits, however loaded the machine
        });
        string text = string.Join(' ', Enumerable.Range(1, Words).Select(i => $"w{i}"));
        string agent = gateway.AddAgent(_ => AgentScript.Create().Say(text));
        await using TestClient client = await TestClient.ConnectAsync(gateway.WebSocketUri(agent), SmallReceiveBuffer.Invoker());

        await client.SendMessageAsync("slow", "go");
        using var timeout = new CancellationTokenSource(read);
        MessageRequestRecord request = await gateway.Simulator.Journal.WaitForMessageAsync(m => m.AgentId == agent && m.RunId is not null, timeout.Token);
        Assert.IsTrue(gateway.Simulator.Runs.TryGet(request.RunId!, out SimRun? run));
        await run.Completion.WaitAsync(timeout.Token);

        List<ServerFrame> turn = await client.ReadTurnAsync("slow", read);
        ServerFrame done = turn[^1];
        int chunks = done.Metrics!["chunks"].GetInt32();
        int frames = done.Metrics["frames"].GetInt32();
        Assert.AreEqual("done", done.Type);
        Assert.AreEqual(text, TestClient.Text(turn), "merging never changes the text");
        Assert.IsTrue(chunks >= Words, $"Letta sent a delta per token ({chunks})");
        Assert.IsTrue(frames < chunks / 2, $"the backlog was merged: {frames} frames for {chunks} chunks");
        Assert.AreEqual(frames, turn.Count - 1, "metrics.frames counts what the client got before done");
    }

    [TestMethod]
    public async Task A_client_that_stops_reading_is_cut_off_its_run_cancelled_and_memory_stays_bounded()
    {
        await using TestGateway gateway = await TestGateway.StartAsync(new Dictionary<string, string?>
        {
            ["Sockets:StallTimeout"] = "00:00:02",
            ["Sockets:CloseTimeout"] = "00:00:10",
        });
        long baseline = GC.GetTotalMemory(forceFullCollection: true);
        await using TestClient client = await TestClient.ConnectAsync(gateway.WebSocketUri(DemoAgents.BenchId), SmallReceiveBuffer.Invoker());

        // A million 64-byte deltas, unpaced: ~200 MB of frames if anything buffered them.
        await client.SendMessageAsync("flood", "bench n=1000000 pace=0 size=64");
        using var timeout = new CancellationTokenSource(Wait);
        MessageRequestRecord request = await gateway.Simulator.Journal.WaitForMessageAsync(m => m.AgentId == DemoAgents.BenchId && m.RunId is not null, timeout.Token);
        CancelRecord cancel = await gateway.Simulator.Journal.WaitForCancelAsync(request.RunId!, timeout.Token);
        // What Letta keeps of its run is Letta's memory, not the gateway's: the simulator (in this process) stores the
        // text its run generated until the cancel arrived, two bytes a character (4 M characters here, 8 MB of the
        // 19 MB this read before it was left out), and on a loaded machine the cancel lands later and there is more
        // of it (this read 65 MB once in CI). Measured once the run has ended, so that it stores no more.
        Assert.IsTrue(gateway.Simulator.Runs.TryGet(request.RunId!, out SimRun? run));
        await run.Completion.WaitAsync(timeout.Token);
        long letta = gateway.Simulator.History.ForRun(request.RunId!).Sum(m => 2L * m.Json.Length);
        long held = GC.GetTotalMemory(forceFullCollection: true) - baseline - letta;

        Assert.AreEqual(200, cancel.StatusCode, "the run was cancelled in Letta");
        Assert.IsTrue(held < 32 * 1024 * 1024, $"memory held for the stalled client: {held / 1024} KiB (and {letta / 1024} KiB of Letta's run left out)");

        // Reading again: what was in flight, then the close (or an abort if the close could not be sent).
        int frames = 0;
        try
        {
            while (await client.TryReceiveAsync(Wait) is not null)
            {
                frames++;
            }

            Assert.AreEqual(WebSocketCloseStatus.PolicyViolation, client.CloseStatus);
            Assert.AreEqual("slow_consumer", client.Socket.CloseStatusDescription);
        }
        catch (WebSocketException)
        {
            Assert.AreNotEqual(WebSocketState.Open, client.Socket.State, "aborted");
        }

        Assert.IsTrue(frames > 0, "frames already in flight were delivered first");
    }
}
