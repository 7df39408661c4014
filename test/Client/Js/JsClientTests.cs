using System.Text.Json;
using LettaSockets.Client.Tests.Support;
using LettaSockets.Simulator;

namespace LettaSockets.Client.Tests.Js;

/// <summary>
/// The JavaScript client (<c>wwwroot/lib/letta-sockets.js</c>) under node against the real gateway and its
/// simulator: each test runs one scenario of <c>js/client-tests.mjs</c> and checks what it reported, and
/// what reached Letta. Skipped (inconclusive) without node 20 or later.
/// </summary>
[TestClass]
public sealed class JsClientTests
{
    private static readonly TimeSpan s_node = TimeSpan.FromSeconds(60);
    private static TestGateway s_gateway = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext _) => s_gateway = await TestGateway.StartAsync();

    [ClassCleanup]
    public static async Task StopAsync() => await s_gateway.DisposeAsync();

    private static async Task<JsonElement> RunAsync(string scenario, Dictionary<string, string> environment)
    {
        await using NodeScenario node = await NodeScenario.StartAsync(scenario, environment);
        return await node.ResultAsync(s_node);
    }

    private static Dictionary<string, string> Env(TestGateway gateway, string? agent = null, string? agent2 = null)
    {
        var env = new Dictionary<string, string> { ["LS_BASE"] = gateway.BaseUri.ToString() };
        if (agent is not null)
        {
            env["LS_AGENT"] = agent;
        }

        if (agent2 is not null)
        {
            env["LS_AGENT2"] = agent2;
        }

        return env;
    }

    [TestMethod]
    public async Task Send_is_an_async_iterable_of_frames_with_a_result_promise_and_text_gives_the_answer()
    {
        const string answer = "Hello from a scripted agent, token by token.";
        string agent = s_gateway.AddAgent(_ => AgentScript.Create().Say(answer).WithTokenDelay(TimeSpan.FromMilliseconds(20)));

        JsonElement result = await RunAsync("stream", Env(s_gateway, agent));

        Assert.AreEqual(answer, result.GetProperty("text").GetString());
        Assert.AreEqual(answer, result.GetProperty("second").GetString());
        string[] types = [.. result.GetProperty("types").EnumerateArray().Select(t => t.GetString()!)];
        Assert.AreEqual("status", types[0]);
        Assert.AreEqual("done", types[^1]);
        Assert.IsGreaterThan(1, types.Count(t => t == "chunk"), "streamed in pieces");
        Assert.IsTrue(result.GetProperty("sameId").GetBoolean());
        Assert.IsTrue(result.GetProperty("terminalIsLast").GetBoolean(), "result resolves with the last frame");
        Assert.AreEqual("end_turn", result.GetProperty("stopReason").GetString());
        Assert.AreEqual(agent, result.GetProperty("readyAgent").GetString());
        Assert.AreEqual(32000, result.GetProperty("maxContentChars").GetInt32());
        Assert.AreEqual("ended", result.GetProperty("state").GetString());
    }

    [TestMethod]
    public async Task Several_turns_at_once_on_two_agents_of_one_socket()
    {
        string first = Frames.ManyWords(40);
        string a = s_gateway.AddAgent(_ => AgentScript.Create().Say(first).WithTokenDelay(TimeSpan.FromMilliseconds(5)));
        string b = s_gateway.AddAgent(_ => AgentScript.Create().Say("the other one").WithTokenDelay(TimeSpan.FromMilliseconds(5)));

        JsonElement result = await RunAsync("concurrent", Env(s_gateway, a, b));

        Assert.AreEqual(first, result.GetProperty("one").GetString());
        Assert.AreEqual("the other one", result.GetProperty("two").GetString());
    }

    [TestMethod]
    public async Task Abort_signal_and_leaving_the_loop_send_cancel_and_the_runs_are_cancelled_in_Letta()
    {
        string full = Frames.ManyWords(2000);
        string agent = s_gateway.AddAgent(_ => AgentScript.Create().Say(full).WithTokenDelay(TimeSpan.FromMilliseconds(20)));

        JsonElement result = await RunAsync("abort", Env(s_gateway, agent));

        JsonElement last = result.GetProperty("last");
        Assert.AreEqual("done", last.GetProperty("type").GetString());
        Assert.AreEqual("cancelled", last.GetProperty("stop_reason").GetString());
        Assert.AreEqual("client", last.GetProperty("cancelled_by").GetString());
        StringAssert.StartsWith(full, result.GetProperty("text").GetString());
        Assert.AreEqual("cancelled", result.GetProperty("secondLast").GetProperty("stop_reason").GetString(), "break out of for-await cancels too");
        using var wait = new CancellationTokenSource(Frames.Wait);
        await s_gateway.Simulator.Journal.WaitForCancelAsync(result.GetProperty("runId").GetString()!, wait.Token);
        await s_gateway.Simulator.Journal.WaitForCancelAsync(result.GetProperty("secondRunId").GetString()!, wait.Token);
    }

    [TestMethod]
    public async Task Turn_approve_answers_the_approval_request_and_the_denial_reason_reaches_Letta()
    {
        JsonElement result = await RunAsync("approval", Env(s_gateway, DemoAgents.ApproverId));

        Assert.AreEqual("delete_file", result.GetProperty("name").GetString());
        Assert.AreEqual("requires_approval", result.GetProperty("askedStop").GetString());
        Assert.AreEqual("success", result.GetProperty("toolResult").GetString());
        StringAssert.Contains(result.GetProperty("approvedText").GetString(), "deleted `/tmp/js.txt`");
        StringAssert.Contains(result.GetProperty("denied").GetString(), "reason: not today");
        string toolCallId = result.GetProperty("toolCallId").GetString()!;
        Assert.IsTrue(s_gateway.Simulator.Journal.Messages.Any(m => m.Approvals.Any(a => a.ToolCallId == toolCallId && a.Approve)));
    }

    [TestMethod]
    public async Task Request_sends_a_kind_of_its_own_history_and_its_answer_ends_the_turn()
    {
        string agent = s_gateway.AddAgent(_ => AgentScript.Create().Say("remember this"));

        JsonElement result = await RunAsync("history", Env(s_gateway, agent));

        JsonElement history = result.GetProperty("frames").EnumerateArray().Single();
        Assert.AreEqual("history", history.GetProperty("type").GetString());
        StringAssert.Contains(history.GetProperty("messages").ToString(), "remember this");
        Assert.AreEqual("ended", result.GetProperty("state").GetString());
    }

    [TestMethod]
    public async Task Ping_is_answered_by_pong_and_a_refused_upgrade_rejects_connect()
    {
        JsonElement ping = await RunAsync("ping", Env(s_gateway));
        JsonElement refused = await RunAsync("refused", Env(s_gateway));

        Assert.IsGreaterThanOrEqualTo(0, ping.GetProperty("rtt").GetDouble());
        Assert.AreEqual("closed", ping.GetProperty("state").GetString());
        Assert.AreEqual("connect_failed", refused.GetProperty("error").GetString());
    }

    [TestMethod]
    public async Task Frames_that_are_not_frames_are_ignored_and_the_socket_carries_on()
    {
        await using FakeGateway server = await FakeGateway.StartAsync(FakeGateway.BadFramesAsync);

        JsonElement result = await RunAsync("badFrames", new Dictionary<string, string> { ["LS_BASE"] = server.BaseUri.ToString() });

        CollectionAssert.AreEqual(new[] { "chunk", "done" }, result.GetProperty("types").EnumerateArray().Select(t => t.GetString()).ToArray());
        Assert.AreEqual("ok", result.GetProperty("text").GetString());
        CollectionAssert.AreEqual(new[] { "bad_frame" }, result.GetProperty("notices").EnumerateArray().Select(t => t.GetString()).ToArray(), "an error of no request is a notice");
    }

    [TestMethod]
    public async Task Server_drops_the_socket_a_non_resumable_turn_ends_with_connection_lost_and_the_client_reconnects()
    {
        await using TestGateway gateway = await TestGateway.StartAsync(new Dictionary<string, string?>
        {
            ["Letta:ResumableTurns"] = "false",
            ["Sockets:DrainTimeout"] = "00:00:30", // outlasts the fixture's stop grace: the socket is aborted mid-turn
        });
        string agent = gateway.AddAgent(_ => AgentScript.Create().Say(Frames.ManyWords(1000)).WithTokenDelay(TimeSpan.FromMilliseconds(50)));
        string after = gateway.AddAgent(_ => AgentScript.Create().Say("back again"));
        await using NodeScenario node = await NodeScenario.StartAsync("dropped", Env(gateway, agent, after));

        await node.WaitForStepAsync("streaming", s_node);
        await gateway.StopServerAsync();
        await node.WaitForStepAsync("lost", s_node);
        await gateway.StartServerAsync();
        JsonElement result = await node.ResultAsync(s_node);

        JsonElement last = result.GetProperty("last");
        Assert.AreEqual("error", last.GetProperty("type").GetString());
        Assert.AreEqual("connection_lost", last.GetProperty("code").GetString());
        Assert.IsTrue(last.GetProperty("retryable").GetBoolean());
        Assert.IsTrue(last.GetProperty("client").GetBoolean());
        Assert.AreEqual("back again", result.GetProperty("after").GetString());
        JsonElement offline = result.GetProperty("offline");
        Assert.AreEqual("not_connected", offline.GetProperty("code").GetString(), "sent while reconnecting");
        Assert.IsTrue(offline.GetProperty("retryable").GetBoolean());
        string[] states = [.. result.GetProperty("states").EnumerateArray().Select(s => s.GetString()!)];
        CollectionAssert.IsSubsetOf(new[] { "reconnecting", "live" }, states);
    }

    [TestMethod]
    public async Task Cancel_while_the_gateway_is_down_is_sent_with_the_resume_and_the_run_stops_in_Letta()
    {
        await using TestGateway gateway = await TestGateway.StartAsync(new Dictionary<string, string?> { ["Sockets:DrainTimeout"] = "00:00:00" });
        string agent = gateway.AddAgent(_ => AgentScript.Create().Say(Frames.ManyWords(2000)).WithTokenDelay(TimeSpan.FromMilliseconds(50)));
        await using NodeScenario node = await NodeScenario.StartAsync("cancelWhileDown", Env(gateway, agent));

        await node.WaitForStepAsync("streaming", s_node);
        await gateway.StopServerAsync();
        await node.WaitForStepAsync("cancelled", s_node);
        await gateway.StartServerAsync();
        JsonElement result = await node.ResultAsync(s_node);

        JsonElement last = result.GetProperty("last");
        Assert.AreEqual("done", last.GetProperty("type").GetString(), result.ToString());
        Assert.AreEqual("cancelled", last.GetProperty("stop_reason").GetString());
        Assert.AreEqual("client", last.GetProperty("cancelled_by").GetString());
        Assert.IsFalse(last.TryGetProperty("client", out _), "the server's done, after the resume and the cancel");
        using var wait = new CancellationTokenSource(Frames.Wait);
        await gateway.Simulator.Journal.WaitForCancelAsync(result.GetProperty("runId").GetString()!, wait.Token);
    }

    [TestMethod]
    public Task GracefulRestart_TheResumableTurnResumesFromTheShutdownCursor_WithoutLossOrRepeats() =>
        ResumeAsync(outOfProcess: false);

    [TestMethod]
    public Task KilledInstance_TheResumableTurnResumesFromItsOwnCursor_WithoutLossOrRepeats() =>
        ResumeAsync(outOfProcess: true);

    private static async Task ResumeAsync(bool outOfProcess)
    {
        await using TestGateway gateway = await TestGateway.StartAsync(
            outOfProcess ? null : new Dictionary<string, string?> { ["Sockets:DrainTimeout"] = "00:00:00" },
            outOfProcess: outOfProcess);
        string story = Frames.ManyWords(300);
        string agent = gateway.AddAgent(_ => AgentScript.Create().Say(story).WithTokenDelay(TimeSpan.FromMilliseconds(50)));
        await using NodeScenario node = await NodeScenario.StartAsync("resume", Env(gateway, agent));

        await node.WaitForStepAsync("streaming", s_node);
        if (outOfProcess)
        {
            await gateway.KillServerAsync();
        }
        else
        {
            await gateway.StopServerAsync();
        }

        await gateway.StartServerAsync();
        JsonElement result = await node.ResultAsync(s_node);

        Assert.AreEqual("done", result.GetProperty("last").GetProperty("type").GetString(), result.ToString());
        Assert.AreEqual(story, result.GetProperty("text").GetString(), "no word lost or repeated");
        long[] seqs = [.. result.GetProperty("seqs").EnumerateArray().Select(s => s.GetInt64())];
        CollectionAssert.AreEqual(seqs.Order().Distinct().ToArray(), seqs, "each seq once, in order");
        Assert.AreEqual(1, result.GetProperty("thinking").GetInt32());
        Assert.IsTrue(result.GetProperty("message").GetProperty("resumable").GetBoolean(), "resumable: 'auto' asked for it");
        JsonElement resume = result.GetProperty("resumes").EnumerateArray().Single();
        string runId = result.GetProperty("runId").GetString()!;
        Assert.AreEqual(runId, resume.GetProperty("run_id").GetString());
        Assert.IsGreaterThan(0L, resume.GetProperty("after_seq").GetInt64(), "resumed from the client's cursor, not from the start");
        CollectionAssert.IsSubsetOf(new[] { "interrupted", "resuming", "streaming", "ended" }, result.GetProperty("turnStates").EnumerateArray().Select(s => s.GetString()).ToArray());
        Assert.IsFalse(gateway.Simulator.Journal.Cancels.Any(c => c.TargetRunIds.Contains(runId)), "the run was never cancelled in Letta");
        Assert.AreEqual(1, gateway.Simulator.Journal.Messages.Count(m => m.AgentId == agent), "resumed, not sent again");
    }
}
