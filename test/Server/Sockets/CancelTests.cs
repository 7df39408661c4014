using LettaSockets.Protocol.Json;
using LettaSockets.Simulator;

namespace LettaSockets.Server.Tests.Sockets;

/// <summary>docs/PROTOCOL.md rules 3 (cancel is immediate and real), 4 (disconnect) and the
/// wind-down rule of 6.</summary>
[TestClass]
public sealed class CancelTests
{
    private static TestGateway s_gateway = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext _) => s_gateway = await TestGateway.StartAsync();

    [ClassCleanup]
    public static async Task StopAsync() => await s_gateway.DisposeAsync();

    private static string SlowAgent(int words = 400) => s_gateway.AddAgent(_ =>
        AgentScript.Create().Say(string.Join(' ', Enumerable.Range(1, words).Select(i => $"w{i}"))).WithTokenDelay(TimeSpan.FromMilliseconds(15)));

    [TestMethod]
    public async Task Cancel_ends_the_turn_at_once_and_cancels_the_run_in_letta()
    {
        string agent = SlowAgent();
        await using TestClient client = await s_gateway.ConnectAsync(agent);

        await client.SendMessageAsync("c1", "go");
        List<ServerFrame> before = await client.ReadUntilAsync(f => f.Type == "chunk");
        string runId = before.Single(f => f.Status == "running").RunId!;
        await client.CancelAsync("c1");
        List<ServerFrame> after = await client.ReadUntilAsync(f => f.Id == "c1" && f.IsTerminal);
        await client.BarrierAsync();

        ServerFrame done = after[^1];
        Assert.AreEqual("done", done.Type);
        Assert.AreEqual("cancelled", done.StopReason);
        Assert.AreEqual("client", done.CancelledBy);
        Assert.IsFalse(client.Received.SkipWhile(f => f != done).Skip(1).Any(f => f.Id == "c1"), "nothing of the turn follows its done");

        using var timeout = new CancellationTokenSource(TestClient.DefaultTimeout);
        CancelRecord record = await s_gateway.Simulator.Journal.WaitForCancelAsync(runId, timeout.Token);
        CollectionAssert.Contains(record.RunIds!.ToList(), runId, "the gateway names the run it cancels");
    }

    [TestMethod]
    public async Task Cancel_without_id_cancels_every_turn_and_unknown_ids_are_ignored()
    {
        string a = SlowAgent(), b = SlowAgent();
        await using TestClient client = await s_gateway.ConnectAsync(a);

        await client.CancelAsync("nobody");
        await client.SendMessageAsync("t1", "go");
        await client.SendMessageAsync("t2", "go", b);
        await client.ReadUntilAsync(_ => client.Received.Any(f => f.Type == "chunk" && f.Id == "t1") && client.Received.Any(f => f.Type == "chunk" && f.Id == "t2"));
        await client.CancelAsync();
        await client.ReadUntilAsync(_ => client.Received.Count(f => f.IsTerminal) == 2);
        await client.BarrierAsync();

        Assert.IsTrue(client.Received.Where(f => f.IsTerminal).All(f => f.CancelledBy == "client"));
        Assert.IsFalse(client.Received.Any(f => f.Type == "error"), "a cancel for an unknown id is ignored silently");
    }

    [TestMethod]
    public async Task A_next_message_waits_for_the_cancelled_run_instead_of_overlapping_it()
    {
        string agent = SlowAgent();
        await using TestClient client = await s_gateway.ConnectAsync(agent);

        await client.SendMessageAsync("first", "go");
        await client.ReadUntilAsync(f => f.Type == "chunk");
        await client.CancelAsync("first");
        await client.SendMessageAsync("second", "again");
        List<ServerFrame> second = await client.ReadTurnAsync("second", TimeSpan.FromSeconds(30));

        Assert.AreEqual("done", second[^1].Type, "the next message is not refused as busy");
        Assert.AreEqual(1, s_gateway.Simulator.Journal.MaxConcurrentRunsPerAgent(agent), "two runs never overlap on one agent");
    }

    [TestMethod]
    public async Task A_client_that_disconnects_mid_turn_cancels_its_run_upstream()
    {
        string agent = SlowAgent();
        TestClient client = await s_gateway.ConnectAsync(agent);
        await client.SendMessageAsync("gone", "go");
        string runId = (await client.ReadUntilAsync(f => f.Status == "running"))[^1].RunId!;
        await client.ReadUntilAsync(f => f.Type == "chunk");

        client.Socket.Abort();
        client.Socket.Dispose();

        using var timeout = new CancellationTokenSource(TestClient.DefaultTimeout);
        CancelRecord record = await s_gateway.Simulator.Journal.WaitForCancelAsync(runId, timeout.Token);
        Assert.AreEqual(agent, record.AgentId);
    }

    [TestMethod]
    public async Task A_run_cancelled_by_someone_else_ends_as_cancelled_by_upstream()
    {
        string agent = SlowAgent();
        await using TestClient client = await s_gateway.ConnectAsync(agent);
        await client.SendMessageAsync("u", "go");
        string runId = (await client.ReadUntilAsync(f => f.Status == "running"))[^1].RunId!;

        using var http = new HttpClient { BaseAddress = s_gateway.SimulatorHost.BaseUrl, Timeout = TimeSpan.FromSeconds(10) };
        using var content = new StringContent($"{{\"run_ids\":[\"{runId}\"]}}", System.Text.Encoding.UTF8, "application/json");
        using HttpResponseMessage response = await http.PostAsync($"/v1/agents/{agent}/messages/cancel", content);
        Assert.IsTrue(response.IsSuccessStatusCode);

        ServerFrame done = (await client.ReadTurnAsync("u"))[^1];
        Assert.AreEqual("done", done.Type);
        Assert.AreEqual("cancelled", done.StopReason);
        Assert.AreEqual("upstream", done.CancelledBy);
    }
}
