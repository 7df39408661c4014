using LettaSockets.Protocol.Json;
using System.Text.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LettaSockets.Server.Tests.AppServer;

/// <summary>
/// The gateway in front of the real Letta Code App Server (<c>letta server --backend local</c>) and a
/// deterministic fake model: everything a client does, through PROTOCOL.md only.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class AppServerTests
{
    private static AppServerStack? s_stack;
    private static LettaCodeServer s_server = null!;
    private static TestGateway s_gateway = null!;
    private static LogCapture s_logs = null!;
    private static string s_agent = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext _)
    {
        s_stack = await AppServerStack.StartAsync();
        s_server = s_stack.Server;
        s_logs = new LogCapture();
        s_gateway = await TestGateway.StartAsync(GatewaySettings(s_stack), services: s => s.AddSingleton<ILoggerProvider>(s_logs));
        s_agent = await s_server.CreateAgentAsync("gateway-tests");
    }

    [ClassCleanup]
    public static async Task StopAsync()
    {
        if (s_gateway is not null)
        {
            await s_gateway.DisposeAsync();
        }

        if (s_stack is not null)
        {
            await s_stack.DisposeAsync();
        }
    }

    /// <summary>The stack's settings, plus one delta a frame (byte-exact checks) and debug logs (secrets checks).</summary>
    internal static Dictionary<string, string?> GatewaySettings(AppServerStack stack, string? token = null)
    {
        Dictionary<string, string?> settings = stack.GatewaySettings(token);
        settings["Sockets:MaxMergedChunks"] = "1";
        settings["Logging:LogLevel:LettaSockets"] = "Debug";
        return settings;
    }

    private static string Dump(IEnumerable<ServerFrame> frames) =>
        string.Join(" | ", frames.Select(f => $"{f.Type}:{f.Status}{f.Code}{f.StopReason}:{f.ToolCallId}:{f.Content}{f.Message}{f.Detail}{f.Result}"));

    [TestMethod]
    public async Task A_turn_streams_token_by_token_byte_exact()
    {
        string[] deltas = ["Grüße", ", \"world\"", " — 👩‍👩‍👧", "\n", "line two {}", " done."];
        await using TestClient client = await s_gateway.ConnectAsync(s_agent);
        Assert.IsFalse(client.Ready.Resumable, "the App Server has no resumable runs");

        await client.SendMessageAsync("t1", "[say " + string.Join('|', deltas).Replace("\n", "\\n", StringComparison.Ordinal) + "]");
        List<ServerFrame> frames = await client.ReadTurnAsync("t1", TimeSpan.FromSeconds(60));

        CollectionAssert.AreEqual(deltas, frames.Where(f => f.Type == "chunk").Select(f => f.Content).ToArray(), string.Join(" | ", frames.Select(f => f.Type + ":" + f.Content)));
        Assert.AreEqual("done", frames[^1].Type);
        Assert.AreEqual("end_turn", frames[^1].StopReason);
    }

    [TestMethod]
    public async Task Reasoning_and_usage_arrive_as_in_the_http_dialect()
    {
        await using TestClient client = await s_gateway.ConnectAsync(s_agent);
        await client.SendMessageAsync("r1", "[reason]");
        List<ServerFrame> frames = await client.ReadTurnAsync("r1", TimeSpan.FromSeconds(60));

        Assert.AreEqual("Let me think.", string.Concat(frames.Where(f => f.Type == "reasoning").Select(f => f.Content)));
        Assert.AreEqual("Thought it through.", TestClient.Text(frames));
        Assert.IsTrue(frames.Any(f => f.Type == "status" && f.Status == "running" && f.RunId is { Length: > 0 }), "status running names the App Server's run");
        ServerFrame done = frames[^1];
        Assert.AreEqual("done", done.Type);
        Assert.AreEqual(1, done.Usage!["step_count"].GetInt64(), "usage summed over the turn's runs (one here)");
        Assert.IsGreaterThan(0, done.Usage["total_tokens"].GetInt64());
    }

    [TestMethod]
    public async Task Cancel_mid_turn_ends_the_turn_and_the_next_one_runs()
    {
        await using TestClient client = await s_gateway.ConnectAsync(s_agent);
        await client.SendMessageAsync("c1", "[slow 60]");
        await client.ReadUntilAsync(f => f.Id == "c1" && f.Type == "chunk", TimeSpan.FromSeconds(60));
        LlmRequest request = s_stack!.Llm.Requests.Last(r => r.UserText == "[slow 60]");
        await client.CancelAsync("c1");
        List<ServerFrame> frames = await client.ReadTurnAsync("c1", TimeSpan.FromSeconds(30));
        int wordsAtCancel = request.Streamed;

        Assert.AreEqual("done", frames[^1].Type);
        Assert.AreEqual("cancelled", frames[^1].StopReason);
        Assert.AreEqual("client", frames[^1].CancelledBy);
        await client.BarrierAsync();
        Assert.IsFalse(client.Received.SkipWhile(f => f != frames[^1]).Skip(1).Any(f => f.Id == "c1"), "nothing of c1 after its done");

        // The next turn of the same conversation runs at once and alone (no merge with the cancelled one).
        await client.SendMessageAsync("c2", "[say after| cancel]");
        List<ServerFrame> next = await client.ReadTurnAsync("c2", TimeSpan.FromSeconds(60));
        Assert.AreEqual("after cancel", TestClient.Text(next), Dump(next));
        Assert.AreEqual("end_turn", next[^1].StopReason);

        // What the App Server does with the model request: it keeps reading it (documented in PROTOCOL.md).
        Assert.IsLessThan(60, wordsAtCancel, "cancelled before the model finished");
        Assert.AreNotEqual("client closed", request.Outcome, "the App Server does not close the model's stream on abort");
    }

    [TestMethod]
    public async Task A_request_id_reused_after_a_cancel_runs_a_new_turn()
    {
        // Found by the App Server fuzzer: the reused id's input carried the first one's client_message_id, which
        // the App Server still remembered, so it acknowledged the input and never ran it.
        await using TestClient client = await s_gateway.ConnectAsync(s_agent);
        await client.SendMessageAsync("again", "[reason]");
        await client.CancelAsync("again");
        await client.SendMessageAsync("again", "[say second| time]");
        await client.ReadUntilAsync(_ => client.Received.Count(f => f.Id == "again" && f.IsTerminal) == 2, TimeSpan.FromSeconds(30));
        List<ServerFrame> second = client.Received.SkipWhile(f => !(f.Id == "again" && f.IsTerminal)).Skip(1).Where(f => f.Id == "again").ToList();

        Assert.AreEqual("done", second[^1].Type, Dump(second));
        Assert.AreEqual("end_turn", second[^1].StopReason);
        Assert.AreEqual("second time", TestClient.Text(second));
    }

    [TestMethod]
    public async Task The_default_permission_mode_asks_before_a_shell_tool_runs_and_approve_runs_it()
    {
        string marker = Path.Combine(Path.GetTempPath(), "ls-approve-" + Guid.NewGuid().ToString("N"));
        await using TestClient client = await s_gateway.ConnectAsync(s_agent);
        await client.SendMessageAsync("a1", $"[bash touch {marker} && echo made]");
        List<ServerFrame> first = await client.ReadTurnAsync("a1", TimeSpan.FromSeconds(60));

        Assert.AreEqual(1, first.Count(f => f.Type == "approval_request"), Dump(first));
        ServerFrame approval = first.Single(f => f.Type == "approval_request");
        Assert.AreEqual("Bash", approval.Name);
        Assert.AreEqual($"touch {marker} && echo made", JsonDocument.Parse(approval.Arguments!).RootElement.GetProperty("command").GetString());
        Assert.AreEqual("requires_approval", first[^1].StopReason);
        Assert.IsFalse(first.Any(f => f.Type == "tool_result"), "nothing ran before the answer");
        Assert.IsFalse(File.Exists(marker), "the shell tool did not run without asking");

        await client.SendJsonAsync(new { type = "approve", id = "a2", tool_call_id = approval.ToolCallId, approve = true });
        List<ServerFrame> second = await client.ReadTurnAsync("a2", TimeSpan.FromSeconds(60));

        Assert.IsTrue(File.Exists(marker), "approved: the tool ran on the App Server host");
        File.Delete(marker);
        Assert.AreEqual(1, second.Count(f => f.Type == "tool_result"), Dump(second));
        ServerFrame result = second.Single(f => f.Type == "tool_result");
        Assert.AreEqual(approval.ToolCallId, result.ToolCallId);
        Assert.AreEqual("Bash", result.Name, "the name comes from the call");
        Assert.AreEqual("success", result.Status);
        Assert.IsTrue(second.Any(f => f.Type == "status" && f.Status == "tool_running" && f.ToolCallId == approval.ToolCallId));
        StringAssert.Contains(TestClient.Text(second), "made");
        Assert.AreEqual("end_turn", second[^1].StopReason);
    }

    [TestMethod]
    public async Task Deny_with_a_reason_reaches_the_model_and_the_turn_goes_on()
    {
        string marker = Path.Combine(Path.GetTempPath(), "ls-deny-" + Guid.NewGuid().ToString("N"));
        await using TestClient client = await s_gateway.ConnectAsync(s_agent);
        await client.SendMessageAsync("d1", $"[bash touch {marker}]");
        ServerFrame approval = (await client.ReadTurnAsync("d1", TimeSpan.FromSeconds(60))).Single(f => f.Type == "approval_request");

        await client.SendJsonAsync(new { type = "approve", id = "d2", tool_call_id = approval.ToolCallId, approve = false, reason = "Not on my machine." });
        List<ServerFrame> second = await client.ReadTurnAsync("d2", TimeSpan.FromSeconds(60));

        Assert.AreEqual(1, second.Count(f => f.Type == "tool_result"), Dump(second));
        ServerFrame result = second.Single(f => f.Type == "tool_result");
        Assert.AreEqual("error", result.Status);
        StringAssert.Contains(TestClient.Text(second), "Not on my machine.", "the model got the reason as the tool's result");
        Assert.AreEqual("end_turn", second[^1].StopReason);
        Assert.IsFalse(File.Exists(marker), "denied: the tool never ran");

        // Approving it again: nothing is pending any more.
        await client.SendJsonAsync(new { type = "approve", id = "d3", tool_call_id = approval.ToolCallId, approve = true });
        List<ServerFrame> late = await client.ReadTurnAsync("d3", TimeSpan.FromSeconds(30));
        Assert.AreEqual("upstream_rejected", late[^1].Code);
    }

    [TestMethod]
    public async Task A_second_message_for_a_busy_conversation_gets_busy_from_this_and_from_another_socket()
    {
        await using TestClient first = await s_gateway.ConnectAsync(s_agent);
        await using TestClient second = await s_gateway.ConnectAsync(s_agent);
        await first.SendMessageAsync("b1", "[slow 30]");
        await first.ReadUntilAsync(f => f.Id == "b1" && f.Type == "chunk", TimeSpan.FromSeconds(60));

        await first.SendMessageAsync("b2", "same socket");
        List<ServerFrame> same = await first.ReadUntilAsync(f => f.Id == "b2" && f.IsTerminal, TimeSpan.FromSeconds(30));
        await second.SendMessageAsync("b3", "other socket");
        List<ServerFrame> other = await second.ReadTurnAsync("b3", TimeSpan.FromSeconds(30));

        Assert.AreEqual("busy", same[^1].Code);
        Assert.AreEqual("b1", same[^1].Detail);
        Assert.AreEqual("busy", other[^1].Code, "the App Server would have queued and merged it");
        Assert.AreEqual("b1", other[^1].Detail, "busy names the active turn");
        await first.CancelAsync("b1");
        await first.ReadTurnAsync("b1", TimeSpan.FromSeconds(30));
        Assert.IsFalse(s_stack!.Llm.Requests.Any(r => r.UserText.Contains("other socket", StringComparison.Ordinal) || r.UserText.Contains("same socket", StringComparison.Ordinal)), "the refused messages never reached the model");
    }

    [TestMethod]
    public async Task Two_agents_stream_at_once_on_one_socket()
    {
        string other = await s_server.CreateAgentAsync("second-" + Guid.NewGuid().ToString("N")[..8]);
        await using TestClient client = await s_gateway.ConnectAsync(s_agent);
        await client.SendJsonAsync(new { type = "message", id = "x1", content = "[slow 8]", agent_id = s_agent });
        await client.SendJsonAsync(new { type = "message", id = "x2", content = "[slow 8]", agent_id = other });
        await client.ReadUntilAsync(f => f.IsTerminal && f.Id == "x1", TimeSpan.FromSeconds(60));
        await client.ReadUntilAsync(f => f.IsTerminal && f.Id == "x2", TimeSpan.FromSeconds(60));

        string expected = string.Concat(Enumerable.Range(1, 8).Select(i => $" w{i}"));
        Assert.AreEqual(expected, TestClient.Text(client.Received.Where(f => f.Id == "x1")));
        Assert.AreEqual(expected, TestClient.Text(client.Received.Where(f => f.Id == "x2")));
        int firstDone = client.Received.FindIndex(f => f.IsTerminal && (f.Id == "x1" || f.Id == "x2"));
        Assert.IsTrue(client.Received.Take(firstDone).Any(f => f.Id == "x1" && f.Type == "chunk") && client.Received.Take(firstDone).Any(f => f.Id == "x2" && f.Type == "chunk"), "both streamed before either ended");
    }

    [TestMethod]
    public async Task A_conversation_id_is_its_own_runtime_and_resume_is_refused()
    {
        string conversation = await s_server.CreateConversationAsync(s_agent);
        await using TestClient client = await s_gateway.ConnectAsync(s_agent);
        await client.SendJsonAsync(new { type = "message", id = "v1", content = "[slow 20]", conversation_id = conversation });
        await client.ReadUntilAsync(f => f.Id == "v1" && f.Type == "chunk", TimeSpan.FromSeconds(60));
        await using TestClient other = await s_gateway.ConnectAsync(s_agent);
        await other.SendMessageAsync("v2", "[say default| conversation]");
        List<ServerFrame> parallel = await other.ReadTurnAsync("v2", TimeSpan.FromSeconds(60));
        Assert.AreEqual("default conversation", TestClient.Text(parallel), "another conversation of the agent is not busy");
        await client.ReadTurnAsync("v1", TimeSpan.FromSeconds(60));

        await client.SendJsonAsync(new { type = "message", id = "v3", content = "hi", conversation_id = "local-conv-99999" });
        Assert.AreEqual("conversation_not_found", (await client.ReadTurnAsync("v3", TimeSpan.FromSeconds(30)))[^1].Code);
        await client.SendJsonAsync(new { type = "resume", id = "v4", run_id = "local-run-1" });
        Assert.AreEqual("not_resumable", (await client.ReadTurnAsync("v4", TimeSpan.FromSeconds(30)))[^1].Code);
    }

    [TestMethod]
    public async Task A_scoped_key_reaches_no_conversation_or_pending_approval_of_another_agent_on_the_App_Server()
    {
        const string scoped = "appserver-scoped-0123456789abcdef";
        const string full = "appserver-full-0123456789abcdef";
        string other = await s_server.CreateAgentAsync("scope-other");
        string foreignConversation = await s_server.CreateConversationAsync(other);
        Dictionary<string, string?> settings = GatewaySettings(s_stack!);
        settings["Auth:ApiKeys:0:Key"] = scoped;
        settings["Auth:ApiKeys:0:Agents:0"] = s_agent;
        settings["Auth:ApiKeys:1:Key"] = full;
        await using TestGateway gateway = await TestGateway.StartAsync(settings);
        await using TestClient client = await gateway.ConnectAsync(s_agent, o => o.SetRequestHeader("Authorization", $"Bearer {scoped}"));

        await client.SendJsonAsync(new { type = "message", id = "f1", content = "[say leaked]", conversation_id = foreignConversation });
        List<ServerFrame> foreign = await client.ReadTurnAsync("f1", TimeSpan.FromSeconds(30));
        await client.SendJsonAsync(new { type = "message", id = "f2", content = "[say leaked]", conversation_id = "local-conv-99999" });
        List<ServerFrame> missing = await client.ReadTurnAsync("f2", TimeSpan.FromSeconds(30));
        await client.SendJsonAsync(new { type = "message", id = "f3", content = "[say leaked]", agent_id = other });
        List<ServerFrame> otherAgent = await client.ReadTurnAsync("f3", TimeSpan.FromSeconds(30));

        // B asks for an approval; A's key names B's pending tool call, on A's socket and as B.
        await using TestClient owner = await gateway.ConnectAsync(other, o => o.SetRequestHeader("Authorization", $"Bearer {full}"));
        string marker = Path.Combine(Path.GetTempPath(), "ls-scope-" + Guid.NewGuid().ToString("N"));
        await owner.SendMessageAsync("b1", $"[bash touch {marker}]");
        ServerFrame pending = (await owner.ReadTurnAsync("b1", TimeSpan.FromSeconds(60))).Single(f => f.Type == "approval_request");
        await client.SendJsonAsync(new { type = "approve", id = "a1", tool_call_id = pending.ToolCallId, approve = true });
        List<ServerFrame> onOwnAgent = await client.ReadTurnAsync("a1", TimeSpan.FromSeconds(30));
        await client.SendJsonAsync(new { type = "approve", id = "a2", tool_call_id = pending.ToolCallId, approve = true, agent_id = other });
        List<ServerFrame> asOther = await client.ReadTurnAsync("a2", TimeSpan.FromSeconds(30));

        Assert.AreEqual("conversation_not_found", foreign[^1].Code, Dump(foreign));
        Assert.AreEqual(missing[^1].Code, foreign[^1].Code, "another agent's conversation reads as a missing one");
        Assert.AreEqual(missing[^1].Message, foreign[^1].Message);
        Assert.AreEqual("invalid_agent_id", otherAgent[^1].Code);
        Assert.AreEqual("upstream_rejected", onOwnAgent[^1].Code, "A has no pending approval with that id: " + Dump(onOwnAgent));
        Assert.AreEqual("invalid_agent_id", asOther[^1].Code);
        Assert.IsFalse(s_stack!.Llm.Requests.Any(r => r.UserText.Contains("leaked", StringComparison.Ordinal)), "nothing reached the model for another agent's conversation");
        Assert.IsFalse(File.Exists(marker), "B's tool never ran on A's approval");
        Assert.IsFalse(client.Received.Any(f => f.Type is "chunk" or "tool_call" or "tool_result"), "no content reached the scoped client");

        // The unscoped key reaches B's conversation and approval, through B.
        await using TestClient unscoped = await gateway.ConnectAsync(other, o => o.SetRequestHeader("Authorization", $"Bearer {full}"));
        await unscoped.SendJsonAsync(new { type = "message", id = "u1", content = "[say reached]", conversation_id = foreignConversation });
        Assert.AreEqual("reached", TestClient.Text(await unscoped.ReadTurnAsync("u1", TimeSpan.FromSeconds(60))));
        await owner.SendJsonAsync(new { type = "approve", id = "b2", tool_call_id = pending.ToolCallId, approve = false, reason = "cleanup" });
        Assert.AreEqual("done", (await owner.ReadTurnAsync("b2", TimeSpan.FromSeconds(60)))[^1].Type);
    }

    [TestMethod]
    public async Task Idle_runtimes_beyond_the_limit_are_forgotten_and_started_again_when_used()
    {
        await using TestGateway gateway = await TestGateway.StartAsync(new Dictionary<string, string?>(GatewaySettings(s_stack!)) { ["AppServer:MaxRuntimes"] = "1" });
        var upstream = (LettaSockets.Server.AppServer.AppServerUpstream)gateway.Services.GetRequiredService<LettaSockets.Server.Upstream.IUpstream>();
        string conversation = await s_server.CreateConversationAsync(s_agent);
        await using TestClient client = await gateway.ConnectAsync(s_agent);

        await client.SendMessageAsync("r1", "[say one]");
        Assert.AreEqual("one", TestClient.Text(await client.ReadTurnAsync("r1", TimeSpan.FromSeconds(60))));
        await client.SendJsonAsync(new { type = "message", id = "r2", content = "[say two]", conversation_id = conversation });
        Assert.AreEqual("two", TestClient.Text(await client.ReadTurnAsync("r2", TimeSpan.FromSeconds(60))));
        int remembered = upstream.RuntimeCount;
        await client.SendMessageAsync("r3", "[say three]");
        List<ServerFrame> again = await client.ReadTurnAsync("r3", TimeSpan.FromSeconds(60));

        Assert.AreEqual(1, remembered, "the default conversation's idle runtime was forgotten");
        Assert.AreEqual("three", TestClient.Text(again), Dump(again));
        Assert.AreEqual("done", again[^1].Type, "its runtime is started again when it is used");
    }

    [TestMethod]
    public async Task History_and_the_conversation_routes_are_typed_refusals_on_the_App_Server()
    {
        await using TestClient client = await s_gateway.ConnectAsync(s_agent);
        await client.SendJsonAsync(new { type = "history", id = "h" });
        ServerFrame history = (await client.ReadTurnAsync("h", TimeSpan.FromSeconds(30)))[^1];
        using var http = new HttpClient { BaseAddress = s_gateway.BaseUri, Timeout = TimeSpan.FromSeconds(30) };
        using HttpResponseMessage list = await http.GetAsync($"/api/agents/{s_agent}/conversations");

        Assert.AreEqual("unsupported_frame", history.Code, Dump([history]));
        Assert.AreEqual(System.Net.HttpStatusCode.NotImplemented, list.StatusCode);
        StringAssert.Contains(await list.Content.ReadAsStringAsync(), "unsupported_frame");
    }

    [TestMethod]
    public async Task A_client_that_disconnects_mid_turn_aborts_it_upstream()
    {
        TestClient client = await s_gateway.ConnectAsync(s_agent);
        await client.SendMessageAsync("g1", "[slow 80]");
        await client.ReadUntilAsync(f => f.Id == "g1" && f.Type == "chunk", TimeSpan.FromSeconds(60));
        await client.DisposeAsync();

        // Had the App Server turn gone on, the conversation would stay busy for ~8 s; aborted, it is free at once.
        await using TestClient next = await s_gateway.ConnectAsync(s_agent);
        List<ServerFrame> frames = [];
        for (int attempt = 0; attempt < 10; attempt++)
        {
            await next.SendMessageAsync($"g2-{attempt}", "[say free]");
            frames = await next.ReadTurnAsync($"g2-{attempt}", TimeSpan.FromSeconds(30));
            if (frames[^1].Code != "busy")
            {
                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(frames[^1].RetryAfterMs ?? 500)); // as a client honouring retry_after_ms does
        }

        Assert.AreEqual("free", TestClient.Text(frames));
        Assert.IsLessThan(80, s_stack!.Llm.Requests.Last(r => r.UserText == "[slow 80]").Streamed + 0, "the first turn had not finished by itself");
    }
}
