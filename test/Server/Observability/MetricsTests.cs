using System.Diagnostics.Metrics;
using LettaSockets.Protocol.Json;
using LettaSockets.Simulator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LettaSockets.Server.Tests.Observability;

/// <summary>The <c>LettaSockets</c> meter seen through a <see cref="MeterListener"/>, and the log scopes.</summary>
[TestClass]
public sealed class MetricsTests
{
    private static readonly LogCapture s_logs = new();
    private static TestGateway s_gateway = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext _) =>
        s_gateway = await TestGateway.StartAsync(
            new Dictionary<string, string?>
            {
                ["Letta:CircuitBreaker:Enabled"] = "false",
                ["Logging:LogLevel:LettaSockets.Server.Turns.TurnPump"] = "Information",
            },
            services: services => services.AddSingleton<ILoggerProvider>(s_logs));

    [ClassCleanup]
    public static async Task StopAsync() => await s_gateway.DisposeAsync();

    private static MetricsRecorder Record() => new(s_gateway.Services.GetRequiredService<IMeterFactory>());

    [TestMethod]
    public async Task A_turn_is_measured_from_connection_to_done()
    {
        using MetricsRecorder metrics = Record();
        string agent = s_gateway.AddAgent(_ => AgentScript.Create().Say("alpha beta gamma delta"));
        TestClient client = await s_gateway.ConnectAsync(agent);
        await client.SendMessageAsync("m", "hi");
        await client.ReadTurnAsync("m");

        var turn = await metrics.WaitForAsync("lettasockets.turns", m => m["terminal"] == "done");
        Assert.AreEqual("end_turn", turn["reason"]);
        Assert.IsTrue((await metrics.WaitForAsync("lettasockets.turn.time_to_first_token")).Value > 0);
        Assert.IsTrue((await metrics.WaitForAsync("lettasockets.turn.duration")).Value > 0);
        Assert.IsTrue((await metrics.WaitForAsync("lettasockets.chunks.relayed")).Value >= 4, "the turn's deltas are added at its end");
        await metrics.WaitForAsync("lettasockets.frames.sent", m => m["transport"] == "websocket");
        Assert.AreEqual(0, metrics.Sum("lettasockets.turns.active"), "the active turn went up and down again");
        Assert.AreEqual(1, metrics.Sum("lettasockets.connections.active", ("transport", "websocket")));

        await client.DisposeAsync();
        await metrics.WaitForAsync("lettasockets.connections.active", m => m.Value == -1);
        Assert.AreEqual(0, metrics.Sum("lettasockets.connections.active"));
        Assert.IsTrue(metrics.Sum("lettasockets.frames.sent") >= 5, "ready, thinking, running, chunk(s, merged when they queue up), done: " + string.Join("; ", metrics.Snapshot()));
    }

    [TestMethod]
    public async Task A_cancel_is_counted_by_its_cause()
    {
        using MetricsRecorder metrics = Record();
        string agent = s_gateway.AddAgent(_ => AgentScript.Create().Say(string.Join(' ', Enumerable.Range(1, 300).Select(i => $"w{i}"))).WithTokenDelay(TimeSpan.FromMilliseconds(10)));
        await using TestClient client = await s_gateway.ConnectAsync(agent);
        await client.SendMessageAsync("c", "go");
        await client.ReadUntilAsync(f => f.Type == "chunk");
        await client.CancelAsync("c");
        await client.ReadTurnAsync("c");

        var cancel = await metrics.WaitForAsync("lettasockets.cancels");
        Assert.AreEqual("client", cancel["cause"]);
        var turn = await metrics.WaitForAsync("lettasockets.turns");
        Assert.AreEqual("cancelled", turn["reason"]);
    }

    [TestMethod]
    public async Task Upstream_errors_and_retries_are_counted_by_code()
    {
        using MetricsRecorder metrics = Record();
        string agent = s_gateway.AddAgent(_ => AgentScript.Create().Say("unreachable"));
        s_gateway.Simulator.Faults.Enqueue(SimFault.Http(503).Repeat(5).ForAgent(agent));
        await using TestClient client = await s_gateway.ConnectAsync(agent);
        await client.SendMessageAsync("e", "hi");
        ServerFrame error = (await client.ReadTurnAsync("e"))[^1];
        Assert.AreEqual("upstream_unavailable", error.Code);

        var upstream = await metrics.WaitForAsync("lettasockets.upstream.errors");
        Assert.AreEqual("upstream_unavailable", upstream["code"]);
        var turn = await metrics.WaitForAsync("lettasockets.turns");
        Assert.AreEqual("error", turn["terminal"]);
        Assert.AreEqual("upstream_unavailable", turn["reason"]);
        Assert.AreEqual(2, metrics.Sum("lettasockets.upstream.retries"), "Letta:MaxRetries retries before giving up");
        Assert.AreEqual(0, metrics.Sum("lettasockets.cancels"));
    }

    [TestMethod]
    public async Task Stream_requests_count_as_sse_connections_and_frames()
    {
        using MetricsRecorder metrics = Record();
        string agent = s_gateway.AddAgent(_ => AgentScript.Create().Say("over sse"));
        await using (SseCall call = await SseCall.PostAsync(s_gateway.BaseUri, agent, "hi"))
        {
            await call.ReadToEndAsync();
        }

        await metrics.WaitForAsync("lettasockets.connections.active", m => m.Value == -1 && m["transport"] == "sse");
        Assert.AreEqual(0, metrics.Sum("lettasockets.connections.active", ("transport", "sse")));
        Assert.IsTrue(metrics.Sum("lettasockets.frames.sent", ("transport", "sse")) >= 4);
    }

    [TestMethod]
    public async Task Log_entries_of_a_turn_carry_connection_turn_agent_and_run()
    {
        string agent = s_gateway.AddAgent(_ => AgentScript.Create().Say("alpha beta gamma delta epsilon"));
        s_gateway.Simulator.Faults.Enqueue(SimFault.CutOff(afterEvents: 3).ForAgent(agent));
        await using TestClient client = await s_gateway.ConnectAsync(agent);
        await client.SendMessageAsync("logged", "hi");
        List<ServerFrame> turn = await client.ReadTurnAsync("logged");
        string runId = turn.First(f => f.RunId is not null).RunId!;

        LogCapture.Entry entry = s_logs.Entries.First(e => e.EventId.Id == 3001 && Equals(e.Scope.GetValueOrDefault("TurnId"), "logged"));
        Assert.AreEqual(client.Ready.ConnectionId, entry.Scope["ConnectionId"]);
        Assert.AreEqual(agent, entry.Scope["AgentId"]);
        Assert.AreEqual(runId, entry.Scope["RunId"], "the run id joins the scope once Letta named it");
    }
}
