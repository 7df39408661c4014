using System.Text;
using System.Text.Json;
using LettaSockets.Simulator.Wire;

namespace LettaSockets.Simulator.Tests.Wire;

[TestClass]
public sealed class FrameWriterTests
{
    private static readonly string[] s_envelope =
        ["id", "date", "name", "message_type", "otid", "sender_id", "step_id", "is_err", "seq_id", "run_id"];

    [TestMethod]
    public void Assistant_frame_has_the_envelope_in_order_and_raw_utf8()
    {
        var writer = new FrameWriter(TimeProvider.System);
        var frame = Encoding.UTF8.GetString(writer.Assistant(
            new Envelope("message-a", null, "otid-a", "step-a", null, "run-a"), "héllo 👋🏽 <b>&\n\"q\""));

        StringAssert.StartsWith(frame, "data: {\"id\":\"message-a\",\"date\":\"");
        StringAssert.EndsWith(frame, "}\n\n");
        StringAssert.Contains(frame, "\"content\":\"héllo 👋🏽 <b>&\\n\\\"q\\\"\"");
        StringAssert.Contains(frame, "+00:00\"", "the plus sign must not be escaped");
        var names = JsonDocument.Parse(frame["data: ".Length..]).RootElement.EnumerateObject().Select(p => p.Name).ToArray();
        CollectionAssert.AreEqual(s_envelope.Append("content").ToArray(), names);
    }

    [TestMethod]
    public void Token_mode_tool_call_delta_omits_null_keys_in_both_fields()
    {
        var writer = new FrameWriter(TimeProvider.System);
        var envelope = new Envelope("message-a", null, "o", "s", null, "r");
        var first = Encoding.UTF8.GetString(writer.ToolCallDelta(envelope, "tool_call_message", "roll", null, "call_1"));
        var later = Encoding.UTF8.GetString(writer.ToolCallDelta(envelope, "tool_call_message", null, "{\"a\"", "call_1"));

        StringAssert.EndsWith(first, "\"tool_call\":{\"name\":\"roll\",\"tool_call_id\":\"call_1\"},\"tool_calls\":{\"name\":\"roll\",\"tool_call_id\":\"call_1\"}}\n\n");
        StringAssert.EndsWith(later, "\"tool_call\":{\"arguments\":\"{\\\"a\\\"\",\"tool_call_id\":\"call_1\"},\"tool_calls\":{\"arguments\":\"{\\\"a\\\"\",\"tool_call_id\":\"call_1\"}}\n\n");
    }

    [TestMethod]
    public void Hand_formatted_frames_use_json_dumps_spacing()
    {
        Assert.AreEqual(
            "data: {\"message_type\": \"stop_reason\", \"stop_reason\": \"cancelled\"}\n\n",
            Encoding.UTF8.GetString(SseFrames.CancelledSpaced));
        Assert.AreEqual(
            "event: error\ndata: {\"error\": \"boom\", \"code\": \"INTERNAL_SERVER_ERROR\"}\n\n",
            Encoding.UTF8.GetString(SseFrames.TransportError("boom")));
        Assert.AreEqual(
            "event: error\ndata: {\"error\": {\"type\": \"llm_timeout\", \"message\": \"m\", \"detail\": \"caf\\u00e9\"}}\n\n",
            Encoding.UTF8.GetString(SseFrames.LegacyError("llm_timeout", "m", "café")));
    }

    [TestMethod]
    public void Date_has_seconds_precision_and_plus_zero_offset()
    {
        var time = new DateTimeOffset(2026, 5, 20, 9, 14, 3, 987, TimeSpan.FromHours(2));
        Assert.AreEqual("2026-05-20T07:14:03+00:00", LettaDate.ToWire(time));
    }
}
