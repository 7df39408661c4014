using System.Text;
using LettaSockets.Server.Letta;
using LettaSockets.Server.Upstream;

namespace LettaSockets.Server.Tests.Letta;

/// <summary>Every event shape Letta's streaming API sends (docs.letta.com, "Streaming"; the simulator plays each).</summary>
[TestClass]
public sealed class LettaEventParserTests
{
    private const string Envelope = "\"id\":\"message-1\",\"date\":\"2026-05-20T09:14:03+00:00\",\"name\":null,";
    private readonly LettaEventParser _parser = new();

    private LettaEvent Parse(string json, string eventType = "message") => _parser.Parse(eventType, Encoding.UTF8.GetBytes(json));

    [TestMethod]
    public void Initial_ping_carries_the_run_id()
    {
        LettaEvent e = Parse("{\"id\":\"ping-1\",\"date\":\"2026-05-20T09:14:03+00:00\",\"name\":null,\"message_type\":\"ping\",\"otid\":null,\"sender_id\":null,\"step_id\":null,\"is_err\":null,\"seq_id\":null,\"run_id\":\"run-7\"}");

        Assert.AreEqual(LettaEventKind.Ping, e.Kind);
        Assert.AreEqual("run-7", e.RunId);
        Assert.AreEqual(-1L, e.Seq);
    }

    [TestMethod]
    public void Assistant_content_as_string_or_text_parts()
    {
        LettaEvent text = Parse("{" + Envelope + "\"message_type\":\"assistant_message\",\"otid\":\"o-1\",\"seq_id\":3,\"run_id\":\"run-7\",\"content\":\"Hel\"}");
        Assert.AreEqual(LettaEventKind.Assistant, text.Kind);
        Assert.AreEqual("Hel", text.Text);
        Assert.AreEqual("o-1", text.Otid);
        Assert.AreEqual(3L, text.Seq);

        LettaEvent parts = Parse("{" + Envelope + "\"message_type\":\"assistant_message\",\"otid\":\"o-1\",\"content\":[{\"type\":\"text\",\"text\":\"a\",\"signature\":null},{\"type\":\"text\",\"text\":\"b\"}]}");
        Assert.AreEqual("ab", parts.Text);
    }

    [TestMethod]
    public void Reasoning_and_hidden_reasoning()
    {
        Assert.AreEqual("hmm", Parse("{" + Envelope + "\"message_type\":\"reasoning_message\",\"otid\":\"o\",\"source\":\"reasoner_model\",\"reasoning\":\"hmm\",\"signature\":null}").Text);
        LettaEvent hidden = Parse("{" + Envelope + "\"message_type\":\"hidden_reasoning_message\",\"otid\":\"o\",\"state\":\"omitted\",\"hidden_reasoning\":null}");
        Assert.AreEqual(LettaEventKind.HiddenReasoning, hidden.Kind);
        Assert.IsNull(hidden.Text);
    }

    [TestMethod]
    public void Tool_calls_as_object_in_token_mode()
    {
        LettaEvent e = Parse("{" + Envelope + "\"message_type\":\"tool_call_message\",\"otid\":\"o\",\"tool_call\":{\"name\":\"roll_dice\",\"tool_call_id\":\"call_1\"},\"tool_calls\":{\"name\":\"roll_dice\",\"tool_call_id\":\"call_1\"}}");

        Assert.AreEqual(LettaEventKind.ToolCall, e.Kind);
        Assert.AreEqual(new ToolCallDelta("call_1", "roll_dice", null), e.ToolCall);
        Assert.IsNull(e.ToolCalls);
    }

    [TestMethod]
    public void Tool_calls_as_array_in_step_mode()
    {
        LettaEvent e = Parse("{" + Envelope + "\"message_type\":\"tool_call_message\",\"otid\":\"o\",\"tool_call\":{\"name\":\"a\",\"arguments\":\"{}\",\"tool_call_id\":\"c1\"},\"tool_calls\":[{\"name\":\"a\",\"arguments\":\"{}\",\"tool_call_id\":\"c1\"},{\"name\":\"b\",\"arguments\":\"{\\\"x\\\":1}\",\"tool_call_id\":\"c2\"}]}");

        Assert.AreEqual(2, e.ToolCalls!.Length);
        Assert.AreEqual(new ToolCallDelta("c2", "b", "{\"x\":1}"), e.ToolCalls[1]);
    }

    [TestMethod]
    public void Tool_return_with_name_status_and_output()
    {
        LettaEvent e = Parse("{\"id\":\"message-2\",\"date\":\"2026-05-20T09:14:03+00:00\",\"name\":\"roll_dice\",\"message_type\":\"tool_return_message\",\"otid\":\"o\",\"tool_return\":\"4\",\"status\":\"success\",\"tool_call_id\":\"call_1\",\"stdout\":[\"rolled\"],\"stderr\":null,\"tool_returns\":[]}");

        Assert.AreEqual(LettaEventKind.ToolReturn, e.Kind);
        Assert.AreEqual("call_1", e.ToolReturn!.ToolCallId);
        Assert.AreEqual("roll_dice", e.ToolReturn.Name);
        Assert.AreEqual("4", e.ToolReturn.Result);
        Assert.AreEqual("rolled", e.ToolReturn.Stdout![0]);
        Assert.IsNull(e.ToolReturn.Stderr);
    }

    [TestMethod]
    public void Approval_request_stop_reason_and_usage()
    {
        Assert.AreEqual(LettaEventKind.ApprovalRequest, Parse("{" + Envelope + "\"message_type\":\"approval_request_message\",\"otid\":\"o\",\"tool_calls\":{\"name\":\"delete_file\",\"arguments\":\"{}\",\"tool_call_id\":\"c\"}}").Kind);
        Assert.AreEqual("end_turn", Parse("{\"message_type\":\"stop_reason\",\"stop_reason\":\"end_turn\"}").StopReason);

        // The cancellation stop_reason is json.dumps style, with spaces (Letta's cancel stop_reason).
        Assert.AreEqual("cancelled", Parse("{\"message_type\": \"stop_reason\", \"stop_reason\": \"cancelled\"}").StopReason);

        LettaEvent usage = Parse("{\"message_type\":\"usage_statistics\",\"completion_tokens\":5,\"prompt_tokens\":7,\"total_tokens\":12,\"step_count\":1,\"run_ids\":null,\"cached_input_tokens\":null,\"cache_write_tokens\":null,\"reasoning_tokens\":2,\"context_tokens\":12}");
        Assert.AreEqual(12L, usage.Usage!.TotalTokens);
        Assert.AreEqual(2L, usage.Usage.ReasoningTokens);
        Assert.IsNull(usage.Usage.CachedInputTokens);
    }

    [TestMethod]
    public void Every_error_shape_is_an_error()
    {
        LettaEvent current = Parse("{\"message_type\":\"error_message\",\"run_id\":\"run-1\",\"error_type\":\"llm_rate_limit\",\"message\":\"Rate limit\",\"detail\":\"RATE_LIMIT_EXCEEDED\",\"seq_id\":null}", "error");
        Assert.AreEqual(LettaEventKind.Error, current.Kind);
        Assert.AreEqual(new LettaError("llm_rate_limit", "Rate limit", "RATE_LIMIT_EXCEEDED"), current.Error);

        LettaEvent legacy = Parse("{\"error\":{\"type\":\"llm_timeout\",\"message\":\"Timed out\",\"detail\":\"x\"}}", "error");
        Assert.AreEqual(new LettaError("llm_timeout", "Timed out", "x"), legacy.Error);

        LettaEvent transport = Parse("{\"error\":\"boom\",\"code\":\"INTERNAL_SERVER_ERROR\"}", "error");
        Assert.AreEqual(new LettaError("INTERNAL_SERVER_ERROR", "boom", null), transport.Error);
    }

    [TestMethod]
    public void Done_legacy_cancelled_unknown_and_invalid()
    {
        Assert.AreEqual(LettaEventKind.Done, Parse("[DONE]").Kind);
        Assert.AreEqual("cancelled", Parse("{\"message\": \"Run was cancelled\"}", "cancelled").StopReason);
        Assert.AreEqual(LettaEventKind.Other, Parse("{\"message_type\":\"summary_message\",\"summary\":\"s\"}").Kind);
        Assert.AreEqual(LettaEventKind.Other, Parse("{}", "some_future_event").Kind);
        Assert.AreEqual(LettaEventKind.Invalid, Parse("not-json").Kind);
        Assert.AreEqual(LettaEventKind.Invalid, Parse("{\"message_type\":\"assistant_message\",").Kind);
    }

    [TestMethod]
    public void Repeated_ids_reuse_one_string()
    {
        string json = "{" + Envelope + "\"message_type\":\"assistant_message\",\"otid\":\"o-1\",\"run_id\":\"run-7\",\"content\":\"x\"}";

        LettaEvent first = Parse(json);
        LettaEvent second = Parse(json);

        Assert.AreSame(first.RunId, second.RunId);
        Assert.AreSame(first.Otid, second.Otid);
    }
}
