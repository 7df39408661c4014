using LettaSockets.Protocol.Json;
using LettaSockets.Simulator;

namespace LettaSockets.Server.Tests.Letta;

/// <summary>
/// The rest of the upstream fault matrix (UpstreamFaultTests has retries, persistent 5xx, a cut-off
/// body, an in-stream error before messages, a stall and an HTML 401): one test per fault, each a
/// typed terminal frame within a bound — never a hang.
/// </summary>
[TestClass]
public sealed class UpstreamFaultMatrixTests
{
    private const string Script = "alpha beta gamma delta";
    private static TestGateway s_gateway = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext _) =>
        s_gateway = await TestGateway.StartAsync(new Dictionary<string, string?> { ["Letta:CircuitBreaker:Enabled"] = "false" });

    [ClassCleanup]
    public static async Task StopAsync() => await s_gateway.DisposeAsync();

    private static async Task<(string Agent, List<ServerFrame> Turn)> RunAsync(SimFault fault)
    {
        string agent = s_gateway.AddAgent(_ => AgentScript.Create().Say(Script));
        s_gateway.Simulator.Faults.Enqueue(fault.ForAgent(agent));
        await using TestClient client = await s_gateway.ConnectAsync(agent);
        await client.SendMessageAsync("t", "hi");
        return (agent, await client.ReadTurnAsync("t"));
    }

    private static int Requests(string agent) => s_gateway.Simulator.Journal.Messages.Count(m => m.AgentId == agent);

    [TestMethod]
    [DataRow(401, "upstream_unauthorized", false)]
    [DataRow(403, "upstream_unauthorized", false)]
    [DataRow(404, "agent_not_found", false)]
    [DataRow(410, "run_expired", false)]
    [DataRow(422, "upstream_rejected", false)]
    [DataRow(400, "upstream_rejected", false)]
    public async Task A_refusal_before_the_stream_is_typed_and_not_retried(int status, string code, bool retryable)
    {
        var (agent, turn) = await RunAsync(SimFault.Http(status));

        ServerFrame error = turn[^1];
        Assert.AreEqual("error", error.Type);
        Assert.AreEqual(code, error.Code);
        Assert.AreEqual(retryable, error.Retryable);
        Assert.AreEqual(1, Requests(agent), "a client error is never retried");
    }

    [TestMethod]
    public async Task A_409_conflict_is_busy_and_retryable_with_a_wait()
    {
        var (agent, turn) = await RunAsync(SimFault.Http(409));

        Assert.AreEqual("busy", turn[^1].Code);
        Assert.IsTrue(turn[^1].Retryable);
        Assert.IsTrue(turn[^1].RetryAfterMs > 0);
        Assert.AreEqual(1, Requests(agent), "409 is not retried: the other run still holds the agent");
    }

    [TestMethod]
    public async Task A_429_asking_for_a_long_wait_is_rate_limited_at_once()
    {
        var (agent, turn) = await RunAsync(SimFault.RateLimited(retryAfterSeconds: 60));

        Assert.AreEqual("rate_limited", turn[^1].Code);
        Assert.AreEqual(60_000, turn[^1].RetryAfterMs, "Letta's Retry-After is passed on");
        Assert.AreEqual(1, Requests(agent), "a wait longer than Letta:MaxRetryAfter is the client's to make");
    }

    [TestMethod]
    public async Task An_html_error_page_instead_of_a_stream_is_upstream_unavailable_after_retries()
    {
        var (agent, turn) = await RunAsync(SimFault.Html(502).Repeat(3));

        Assert.AreEqual("upstream_unavailable", turn[^1].Code);
        Assert.IsTrue(turn[^1].Retryable);
        Assert.AreEqual(3, Requests(agent));
        Assert.IsFalse(turn[^1].Detail?.Contains("<html", StringComparison.OrdinalIgnoreCase) ?? false, "the page itself is not relayed");
    }

    [TestMethod]
    public async Task A_connection_dropped_before_any_header_is_upstream_unavailable()
    {
        var (_, turn) = await RunAsync(SimFault.Abort().Repeat(3));

        Assert.AreEqual("upstream_unavailable", turn[^1].Code);
        Assert.IsTrue(turn[^1].Retryable);
    }

    [TestMethod]
    public async Task Garbage_and_an_event_that_is_not_json_end_the_turn_typed_and_cancel_the_run()
    {
        var (_, turn) = await RunAsync(SimFault.Garbage(afterEvents: 2));

        ServerFrame error = turn[^1];
        Assert.AreEqual("upstream_unavailable", error.Code, "a corrupt stream cannot be trusted to be byte-exact");
        StringAssert.Contains(error.Detail, "not valid JSON");
        string runId = turn.First(f => f.RunId is not null).RunId!;
        using var timeout = new CancellationTokenSource(TestClient.DefaultTimeout);
        await s_gateway.Simulator.Journal.WaitForCancelAsync(runId, timeout.Token);
    }

    [TestMethod]
    public async Task A_single_2_MiB_assistant_event_is_relayed_intact_in_frames_of_16_Ki_characters()
    {
        var (_, turn) = await RunAsync(SimFault.Huge(afterEvents: 2));

        Assert.AreEqual("done", turn[^1].Type);
        string hugeId = turn.First(f => f.Type == "chunk" && f.Content!.Length > 1000).MessageId!;
        List<ServerFrame> pieces = [.. turn.Where(f => f.Type == "chunk" && f.MessageId == hugeId)];
        string huge = string.Concat(pieces.Select(f => f.Content));
        Assert.AreEqual(SimFault.DefaultHugeSize, huge.Length);
        StringAssert.StartsWith(huge, "The quick brown fox jumps over the lazy dog. The quick");
        Assert.IsTrue(pieces.All(f => f.Content!.Length <= 16 * 1024), "sent in frames of 16 Ki characters at most (protocol: large deltas)");
        Assert.AreEqual(Script, TestClient.Text(turn.Where(f => f.MessageId != hugeId)), "the rest of the turn is untouched");
    }

    [TestMethod]
    [DataRow(FaultKind.ErrorAfterMessages, DisplayName = "error after messages (no [DONE])")]
    [DataRow(FaultKind.LegacyError, DisplayName = "legacy {error:{…}} payload")]
    [DataRow(FaultKind.TransportError, DisplayName = "transport error payload")]
    public async Task An_error_inside_the_stream_is_agent_error(FaultKind kind)
    {
        var (_, turn) = await RunAsync(new SimFault(kind) { AfterEvents = 3 });

        Assert.AreEqual("error", turn[^1].Type);
        Assert.AreEqual("agent_error", turn[^1].Code);
        Assert.IsFalse(string.IsNullOrEmpty(turn[^1].Detail), "Letta's error type or text is in detail");
    }
}
