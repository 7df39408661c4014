using System.Diagnostics;
using System.Net;
using System.Net.WebSockets;
using LettaSockets.Protocol.Json;
using LettaSockets.Simulator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Options;

namespace LettaSockets.Server.Tests.Sockets;

/// <summary>SIGTERM: stop accepting, tell every connection, let turns finish (bounded), cancel or hand
/// over the rest, close with 1001 or 1012 — all within the host's shutdown timeout.</summary>
[TestClass]
public sealed class GracefulShutdownTests
{
    private static readonly string Words = string.Join(' ', Enumerable.Range(1, 400).Select(i => $"w{i}"));
    private static readonly TimeSpan Wait = TimeSpan.FromSeconds(20);

    private static Task<TestGateway> StartAsync(string drain, string? lettaUrl = null)
    {
        var settings = new Dictionary<string, string?> { ["Sockets:DrainTimeout"] = drain };
        if (lettaUrl is not null)
        {
            settings["Letta:BaseUrl"] = lettaUrl;
        }

        return TestGateway.StartAsync(settings, simulator: s => s.PaceMultiplier = 1);
    }

    private static string SlowAgent(TestGateway gateway) =>
        gateway.AddAgent(_ => AgentScript.Create().Say(Words).WithTokenDelay(TimeSpan.FromMilliseconds(10)));

    /// <summary>Reads up to the server's close, answers it like a browser would, and returns the frames.</summary>
    private static async Task<List<ServerFrame>> ReadToCloseAsync(TestClient client)
    {
        var frames = new List<ServerFrame>();
        while (await client.TryReceiveAsync(Wait) is { } frame)
        {
            frames.Add(frame);
        }

        using var timeout = new CancellationTokenSource(Wait);
        await client.Socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", timeout.Token);
        return frames;
    }

    [TestMethod]
    public async Task A_turn_still_running_at_the_end_of_the_drain_is_cancelled_in_letta_and_the_socket_closes_1001()
    {
        await using TestGateway gateway = await StartAsync("00:00:01");
        string agent = SlowAgent(gateway);
        await using TestClient client = await gateway.ConnectAsync(agent);
        await client.SendMessageAsync("long", "go");
        string runId = (await client.ReadUntilAsync(f => f.Status == "running"))[^1].RunId!;

        var clock = Stopwatch.StartNew();
        Task stopping = gateway.App.StopAsync();
        ServerFrame shutdown = (await client.ReadUntilAsync(f => f.Type == "shutdown"))[^1];
        var (upgrade, _) = await UpgradeProbe.StatusAsync(gateway.WebSocketUri(agent));
        var (_, body) = await UpgradeProbe.GetAsync(gateway.BaseUri, $"/ws/{agent}", UpgradeProbe.UpgradeHeaders);
        var (ready, _) = await UpgradeProbe.GetAsync(gateway.BaseUri, "/readyz");
        await client.SendMessageAsync("late", "another", gateway.AddAgent(_ => AgentScript.Create().Say("x")));
        List<ServerFrame> rest = await ReadToCloseAsync(client);
        await stopping.WaitAsync(Wait);

        Assert.AreEqual("server_shutdown", shutdown.Reason);
        Assert.AreEqual(0, shutdown.Resume?.Count ?? 0);
        Assert.AreEqual(HttpStatusCode.ServiceUnavailable, upgrade, "no new upgrades while draining");
        StringAssert.Contains(body, "\"code\":\"shutting_down\"");
        Assert.AreEqual(HttpStatusCode.ServiceUnavailable, ready, "readiness fails so the balancer stops routing here");
        Assert.AreEqual("shutting_down", rest.Single(f => f.Id == "late").Code);
        ServerFrame done = rest.Single(f => f.Id == "long" && f.IsTerminal);
        Assert.AreEqual("done", done.Type);
        Assert.AreEqual("cancelled", done.StopReason);
        Assert.AreEqual("shutdown", done.CancelledBy);
        Assert.AreEqual(WebSocketCloseStatus.EndpointUnavailable, client.CloseStatus);
        Assert.IsTrue(gateway.Simulator.Journal.Cancels.Any(c => c.RunIds?.Contains(runId) == true), "the run was cancelled in Letta before the host stopped");
        TimeSpan limit = gateway.Services.GetRequiredService<IOptions<HostOptions>>().Value.ShutdownTimeout;
        Assert.IsTrue(limit >= TimeSpan.FromSeconds(1) + TimeSpan.FromSeconds(5), $"the host waits longer than a drain ({limit})");
        Assert.IsTrue(clock.Elapsed < limit, $"stopped in {clock.Elapsed}");
    }

    [TestMethod]
    public async Task A_turn_that_finishes_within_the_drain_completes_and_the_host_does_not_wait_the_full_drain()
    {
        await using TestGateway gateway = await StartAsync("00:00:30");
        string agent = gateway.AddAgent(_ => AgentScript.Create().Say("one two three four five six").WithTokenDelay(TimeSpan.FromMilliseconds(100)));
        await using TestClient client = await gateway.ConnectAsync(agent);
        await using TestClient idle = await gateway.ConnectAsync(agent);
        await client.SendMessageAsync("short", "go");
        await client.ReadUntilAsync(f => f.Status == "running");

        var clock = Stopwatch.StartNew();
        Task stopping = gateway.App.StopAsync();
        List<ServerFrame> frames = await ReadToCloseAsync(client);
        List<ServerFrame> idleFrames = await ReadToCloseAsync(idle);
        await stopping.WaitAsync(Wait);

        int shutdownAt = frames.FindIndex(f => f.Type == "shutdown");
        Assert.IsTrue(shutdownAt >= 0 && shutdownAt < frames.FindIndex(f => f.Type == "done"), "shutdown comes first, then the turn ends");
        Assert.AreEqual("end_turn", frames.Single(f => f.Type == "done").StopReason);
        Assert.AreEqual("one two three four five six", TestClient.Text(client.Received.Where(f => f.Id == "short")));
        Assert.AreEqual("shutdown", idleFrames.Single().Type, "an idle connection is told and closed at once");
        Assert.AreEqual(WebSocketCloseStatus.EndpointUnavailable, idle.CloseStatus);
        Assert.IsTrue(clock.Elapsed < TimeSpan.FromSeconds(15), $"no full 30 s drain ({clock.Elapsed})");
        Assert.AreEqual(0, gateway.Simulator.Journal.Cancels.Count, "nothing needed cancelling");
    }

    [TestMethod]
    public async Task A_resumable_turn_is_handed_over_with_its_cursor_and_resumes_byte_exact_elsewhere()
    {
        await using TestGateway first = await StartAsync("00:00:10");
        string agent = SlowAgent(first);
        await using TestClient client = await first.ConnectAsync(agent);
        await client.SendJsonAsync(new { type = "message", id = "r", content = "go", resumable = true });
        await client.ReadUntilAsync(_ => client.Received.Count(f => f.Type == "chunk") >= 20);

        Task stopping = first.App.StopAsync();
        List<ServerFrame> rest = await ReadToCloseAsync(client);
        await stopping.WaitAsync(Wait);

        ServerFrame shutdown = rest.Single(f => f.Type == "shutdown");
        List<ServerFrame> before = client.Received.TakeWhile(f => f.Type != "shutdown").Where(f => f.Id == "r").ToList();
        ServerResumeCursor cursor = shutdown.Resume!.Single();
        string runId = before.First(f => f.RunId is not null).RunId!;
        Assert.AreEqual("r", cursor.Id);
        Assert.AreEqual(runId, cursor.RunId);
        Assert.AreEqual(before.Max(f => f.Seq ?? 0), cursor.AfterSeq, "the cursor is the last seq the client received");
        Assert.AreEqual((WebSocketCloseStatus)1012, client.CloseStatus);
        Assert.IsFalse(rest.Any(f => f.Id == "r" && f.IsTerminal), "the turn is not over: it moves");
        Assert.IsFalse(first.Simulator.Journal.Cancels.Any(c => c.TargetRunIds.Contains(runId)), "a handed-over run keeps running in Letta");

        await using TestGateway second = await StartAsync("00:00:10", first.SimulatorHost.BaseUrl.ToString());
        await using TestClient again = await second.ConnectAsync(agent);
        await again.SendJsonAsync(new { type = "resume", id = cursor.Id, run_id = cursor.RunId, after_seq = cursor.AfterSeq });
        List<ServerFrame> after = await again.ReadTurnAsync("r", TimeSpan.FromSeconds(30));
        Assert.AreEqual("end_turn", after[^1].StopReason);
        Assert.AreEqual(Words, TestClient.Text(before) + TestClient.Text(after), "nothing lost, nothing repeated");
    }
}
