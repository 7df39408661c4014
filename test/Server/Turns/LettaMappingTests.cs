using System.Diagnostics;
using System.Text;
using LettaSockets.Protocol.Chunks;
using LettaSockets.Server.Letta;
using LettaSockets.Server.Turns;
using LettaSockets.Server.Upstream;

namespace LettaSockets.Server.Tests.Turns;

/// <summary>A whole Letta SSE body through <see cref="LettaStream"/> and <see cref="LettaChunkMapper"/>,
/// with the body handed over in odd-sized pieces.</summary>
[TestClass]
public sealed class LettaMappingTests
{
    private const string Env = "\"date\":\"2026-05-20T09:14:03+00:00\",\"name\":null,";

    private static string Event(string json, string? name = null) => (name is null ? "" : $"event: {name}\n") + $"data: {json}\n\n";

    private static string Msg(string type, string otid, string fields, string id = "message-1") =>
        Event($"{{\"id\":\"{id}\",{Env}\"message_type\":\"{type}\",\"otid\":\"{otid}\",\"sender_id\":null,\"step_id\":\"step-1\",\"is_err\":null,\"seq_id\":null,\"run_id\":\"run-1\",{fields}}}");

    private static readonly string TokenModeBody =
        Event("{\"id\":\"ping-1\"," + Env + "\"message_type\":\"ping\",\"otid\":null,\"sender_id\":null,\"step_id\":null,\"is_err\":null,\"seq_id\":null,\"run_id\":\"run-1\"}")
        + Msg("reasoning_message", "o-0", "\"source\":\"reasoner_model\",\"reasoning\":\"Let me \",\"signature\":null")
        + Msg("reasoning_message", "o-0", "\"source\":\"reasoner_model\",\"reasoning\":\"roll.\",\"signature\":null")
        + Msg("tool_call_message", "o-1", "\"tool_call\":{\"name\":\"roll_dice\",\"tool_call_id\":\"call_1\"},\"tool_calls\":{\"name\":\"roll_dice\",\"tool_call_id\":\"call_1\"}")
        + Msg("tool_call_message", "o-1", "\"tool_call\":{\"arguments\":\"{\\\"sides\\\":\",\"tool_call_id\":\"call_1\"},\"tool_calls\":{\"arguments\":\"{\\\"sides\\\":\",\"tool_call_id\":\"call_1\"}")
        + Msg("tool_call_message", "o-1", "\"tool_call\":{\"name\":\"roll_dice\",\"arguments\":\" 6}\",\"tool_call_id\":\"call_1\"},\"tool_calls\":{\"name\":\"roll_dice\",\"arguments\":\" 6}\",\"tool_call_id\":\"call_1\"}")
        + Event("{\"id\":\"ping-2\"," + Env + "\"message_type\":\"ping\",\"otid\":null,\"sender_id\":null,\"step_id\":null,\"is_err\":null,\"seq_id\":null,\"run_id\":\"run-1\"}")
        + Msg("tool_return_message", "o-2", "\"tool_return\":\"4\",\"status\":\"success\",\"tool_call_id\":\"call_1\",\"stdout\":null,\"stderr\":null,\"tool_returns\":[]", id: "message-2").Replace("\"name\":null", "\"name\":\"roll_dice\"")
        + Msg("assistant_message", "o-3", "\"content\":\"You rolled \"", id: "message-3")
        + Msg("assistant_message", "o-3", "\"content\":\"a 4 — “nice” 🎲!\"", id: "message-3")
        + Event("{\"message_type\":\"stop_reason\",\"stop_reason\":\"end_turn\"}")
        + Event("{\"message_type\":\"usage_statistics\",\"completion_tokens\":9,\"prompt_tokens\":30,\"total_tokens\":39,\"step_count\":2,\"run_ids\":null,\"cached_input_tokens\":null,\"cache_write_tokens\":null,\"reasoning_tokens\":null,\"context_tokens\":39}")
        + "data: [DONE]\n\n";

    private static async Task<(List<StreamChunk> Chunks, TurnOutcome Outcome)> MapAsync(string body, int[] sizes)
    {
        var response = new HttpResponseMessage(System.Net.HttpStatusCode.OK)
        {
            Content = new StreamContent(new TrickleStream(Encoding.UTF8.GetBytes(body), sizes)),
        };
        var turn = new TurnState("r1", "agent-1", resumable: false, Stopwatch.GetTimestamp());
        var mapper = new LettaChunkMapper(turn);
        var chunks = new List<StreamChunk>();
        await using var stream = new LettaStream(response, TimeProvider.System, TimeSpan.FromSeconds(10));
        await foreach (LettaEvent e in stream.ReadAsync(CancellationToken.None).WithCancellation(CancellationToken.None))
        {
            mapper.Map(e, chunks);
            if (mapper.IsFinished)
            {
                break;
            }
        }

        return (chunks, mapper.Outcome);
    }

    [TestMethod]
    [DataRow(new[] { 1 })]
    [DataRow(new[] { 3, 7, 2 })]
    [DataRow(new[] { 5, 1, 11, 2, 13 })]
    [DataRow(new[] { 4096 })]
    public async Task Token_mode_stream_maps_in_order_at_any_split(int[] sizes)
    {
        (List<StreamChunk> chunks, TurnOutcome outcome) = await MapAsync(TokenModeBody, sizes).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.AreEqual(ChunkKind.Status, chunks[0].Kind);
        Assert.AreEqual(StatusKind.Running, chunks[0].Status);
        Assert.AreEqual("run-1", chunks[0].Turn!.RunId);

        Assert.AreEqual("Let me roll.", string.Concat(chunks.Where(c => c.Kind == ChunkKind.Reasoning).Select(c => c.Content)));

        var calls = chunks.Where(c => c.Kind == ChunkKind.ToolCall).ToList();
        Assert.AreEqual(3, calls.Count);
        Assert.AreEqual("roll_dice", calls[0].Name);
        Assert.IsTrue(calls.Skip(1).All(c => c.Name is null), "a tool name is sent once, never concatenated");
        Assert.AreEqual("{\"sides\": 6}", string.Concat(calls.Select(c => c.Content)));

        int toolRunning = chunks.FindIndex(c => c.Kind == ChunkKind.Status && c.Status == StatusKind.ToolRunning);
        int result = chunks.FindIndex(c => c.Kind == ChunkKind.ToolResult);
        Assert.IsTrue(toolRunning > chunks.IndexOf(calls[2]) && toolRunning < result, "tool_running comes when the arguments are whole");
        Assert.IsTrue(chunks.Any(c => c.Kind == ChunkKind.Status && c.Status == StatusKind.Working), "a keepalive ping is a working heartbeat");
        Assert.AreEqual("roll_dice", chunks[result].Name);

        var text = chunks.Where(c => c.Kind == ChunkKind.Chunk).ToList();
        Assert.AreEqual("You rolled a 4 — “nice” 🎲!", string.Concat(text.Select(c => c.Content)));
        Assert.IsTrue(text.All(c => c.MessageId == "o-3"), "message_id is Letta's otid");

        Assert.AreEqual("end_turn", outcome.StopReason);
        Assert.AreEqual(39L, outcome.Usage!.TotalTokens);
        Assert.IsTrue(outcome.SawDone);
    }

    [TestMethod]
    public async Task Step_mode_tool_calls_array_gives_one_frame_per_call()
    {
        string body = Msg("tool_call_message", "o-1", "\"tool_call\":{\"name\":\"a\",\"arguments\":\"{}\",\"tool_call_id\":\"c1\"},\"tool_calls\":[{\"name\":\"a\",\"arguments\":\"{}\",\"tool_call_id\":\"c1\"},{\"name\":\"b\",\"arguments\":\"{\\\"q\\\":1}\",\"tool_call_id\":\"c2\"}]")
            + Event("{\"message_type\":\"stop_reason\",\"stop_reason\":\"end_turn\"}") + "data: [DONE]\n\n";

        (List<StreamChunk> chunks, _) = await MapAsync(body, [17]).WaitAsync(TimeSpan.FromSeconds(10));

        var calls = chunks.Where(c => c.Kind == ChunkKind.ToolCall).ToList();
        CollectionAssert.AreEqual(new[] { "c1", "c2" }, calls.Select(c => c.MessageId).ToArray());
        CollectionAssert.AreEqual(new[] { "a", "b" }, calls.Select(c => c.Name).ToArray());
        Assert.AreEqual(2, chunks.Count(c => c.Kind == ChunkKind.Status && c.Status == StatusKind.ToolRunning));
    }

    [TestMethod]
    public async Task Cancellation_ending_without_usage_or_done()
    {
        string body = Msg("assistant_message", "o-3", "\"content\":\"partial\"")
            + Event("{\"message_type\": \"stop_reason\", \"stop_reason\": \"cancelled\"}");

        (_, TurnOutcome outcome) = await MapAsync(body, [2, 9]).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.AreEqual("cancelled", outcome.StopReason);
        Assert.IsFalse(outcome.SawDone);
        Assert.IsNull(outcome.Error);
    }

    [TestMethod]
    public async Task Error_after_messages_ends_with_the_error_and_no_done()
    {
        string body = Msg("assistant_message", "o-3", "\"content\":\"Hi\"")
            + Event("{\"message_type\":\"stop_reason\",\"stop_reason\":\"error\"}")
            + Event("{\"message_type\":\"error_message\",\"run_id\":\"run-1\",\"error_type\":\"internal_error\",\"message\":\"An error occurred during agent execution.\",\"detail\":\"boom\",\"seq_id\":null}", "error");

        (_, TurnOutcome outcome) = await MapAsync(body, [6]).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.AreEqual("error", outcome.StopReason);
        Assert.AreEqual("internal_error", outcome.Error!.ErrorType);
    }

    [TestMethod]
    public async Task Approval_deltas_become_one_whole_approval_request()
    {
        string body = Msg("approval_request_message", "o-1", "\"tool_call\":{\"name\":\"delete_file\",\"tool_call_id\":\"c9\"},\"tool_calls\":{\"name\":\"delete_file\",\"tool_call_id\":\"c9\"}")
            + Msg("approval_request_message", "o-1", "\"tool_call\":{\"arguments\":\"{\\\"path\\\":\",\"tool_call_id\":\"c9\"},\"tool_calls\":{\"arguments\":\"{\\\"path\\\":\",\"tool_call_id\":\"c9\"}")
            + Msg("approval_request_message", "o-1", "\"tool_call\":{\"arguments\":\"\\\"a.txt\\\"}\",\"tool_call_id\":\"c9\"},\"tool_calls\":{\"arguments\":\"\\\"a.txt\\\"}\",\"tool_call_id\":\"c9\"}")
            + Event("{\"message_type\":\"stop_reason\",\"stop_reason\":\"requires_approval\"}") + "data: [DONE]\n\n";

        (List<StreamChunk> chunks, TurnOutcome outcome) = await MapAsync(body, [5]).WaitAsync(TimeSpan.FromSeconds(10));

        var approvals = chunks.Where(c => c.Kind == ChunkKind.ApprovalRequest).ToList();
        Assert.AreEqual(1, approvals.Count);
        Assert.AreEqual("{\"path\":\"a.txt\"}", approvals[0].Content);
        Assert.AreEqual("delete_file", approvals[0].Name);
        Assert.AreEqual("requires_approval", outcome.StopReason);
    }

    [TestMethod]
    public async Task Garbage_lines_are_ignored_but_invalid_json_finishes_the_stream()
    {
        string body = "garbage line without colon\n: comment\nfoo: bar\n\n" + Msg("assistant_message", "o", "\"content\":\"ok\"") + "data: not-json\n\n" + Msg("assistant_message", "o", "\"content\":\"never\"");

        (List<StreamChunk> chunks, TurnOutcome outcome) = await MapAsync(body, [7]).WaitAsync(TimeSpan.FromSeconds(10));

        Assert.AreEqual("ok", string.Concat(chunks.Where(c => c.Kind == ChunkKind.Chunk).Select(c => c.Content)));
        Assert.IsTrue(outcome.SawInvalidEvent);
    }
}
