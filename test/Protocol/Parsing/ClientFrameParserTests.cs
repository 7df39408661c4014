using System.Text;
using LettaSockets.Protocol.Frames;
using LettaSockets.Protocol.Parsing;

namespace LettaSockets.Protocol.Tests.Parsing;

[TestClass]
public sealed class ClientFrameParserTests
{
    private static ClientFrameParseResult Parse(string text) => ClientFrameParser.Parse(Encoding.UTF8.GetBytes(text));

    [TestMethod]
    public void Message_frame_keeps_every_field()
    {
        var result = Parse("""{"type":"message","id":"r1","content":"Hi","agent_id":"agent-2","conversation_id":"default","resumable":true,"max_chars_per_second":40,"extra":{"a":[1,2]}}""");

        Assert.IsTrue(result.IsValid, result.Error?.Message);
        ClientFrame f = result.Frame!;
        Assert.AreEqual(ClientFrameType.Message, f.Type);
        Assert.AreEqual("r1", f.Id);
        Assert.AreEqual("Hi", f.Content);
        Assert.AreEqual("agent-2", f.AgentId);
        Assert.AreEqual("default", f.ConversationId);
        Assert.IsTrue(f.Resumable);
        Assert.AreEqual(40d, f.MaxCharsPerSecond);
        Assert.IsFalse(f.IsShorthand);
    }

    [TestMethod]
    public void Seed_message_shorthand_is_a_message()
    {
        var result = Parse("""{"message":"Hello!"}""");

        Assert.AreEqual(ClientFrameType.Message, result.Frame!.Type);
        Assert.AreEqual("Hello!", result.Frame.Content);
        Assert.IsTrue(result.Frame.IsShorthand);
        Assert.IsNull(result.Frame.Id);
    }

    [TestMethod]
    [DataRow("Tell me a joke")]
    [DataRow("[1, 2, 3]")]
    [DataRow("\"just a string\"")]
    [DataRow("42")]
    public void Text_that_is_not_a_json_object_is_the_content(string text)
    {
        var result = Parse(text);

        Assert.AreEqual(ClientFrameType.Message, result.Frame!.Type);
        Assert.AreEqual(text, result.Frame.Content);
        Assert.IsTrue(result.Frame.IsShorthand);
    }

    [TestMethod]
    [DataRow("{")]
    [DataRow("{\"type\":\"message\",")]
    [DataRow("  {not json}")]
    [DataRow("{\"type\":\"message\",\"content\":\"a\"} trailing")]
    public void Text_starting_with_a_brace_that_does_not_parse_is_bad_frame(string text)
    {
        Assert.AreEqual(ErrorCodes.BadFrame, Parse(text).Error!.Code);
    }

    [TestMethod]
    public void Deep_nesting_is_rejected()
    {
        string deep = "{\"type\":\"ping\",\"x\":" + new string('[', 100) + new string(']', 100) + "}";

        Assert.AreEqual(ErrorCodes.BadFrame, Parse(deep).Error!.Code);
    }

    [TestMethod]
    [DataRow("""{"type":"message","content":5}""", "content")]
    [DataRow("""{"type":"message","content":"x","resumable":"yes"}""", "resumable")]
    [DataRow("""{"type":"message","content":"x","max_chars_per_second":-3}""", "max_chars_per_second")]
    [DataRow("""{"type":"resume","run_id":"run-1","after_seq":-1}""", "after_seq")]
    [DataRow("""{"type":"message","content":"x","agent_id":{}}""", "agent_id")]
    [DataRow("""{"type":"approve","tool_call_id":"c","approve":1}""", "approve")]
    public void Wrong_types_name_the_field(string json, string field)
    {
        ClientFrameError error = Parse(json).Error!;

        Assert.AreEqual(ErrorCodes.BadFrame, error.Code);
        StringAssert.Contains(error.Message, field);
    }

    [TestMethod]
    public void Unknown_type_is_unknown_type_with_the_id()
    {
        ClientFrameError error = Parse("""{"type":"dance","id":"r9"}""").Error!;

        Assert.AreEqual(ErrorCodes.UnknownType, error.Code);
        Assert.AreEqual("r9", error.Id);
    }

    [TestMethod]
    [DataRow("""{"type":"message","id":"r2"}""")]
    [DataRow("""{"type":"message","id":"r2","content":"   "}""")]
    public void Message_without_content_is_bad_frame_with_the_id(string json)
    {
        ClientFrameError error = Parse(json).Error!;

        Assert.AreEqual(ErrorCodes.BadFrame, error.Code);
        Assert.AreEqual("r2", error.Id);
    }

    [TestMethod]
    public void Overlong_or_control_character_ids_are_rejected()
    {
        Assert.AreEqual(ErrorCodes.BadFrame, Parse($$"""{"type":"ping","id":"{{new string('a', 129)}}"}""").Error!.Code);
        Assert.AreEqual(ErrorCodes.BadFrame, Parse("""{"type":"ping","id":"a\u0000b"}""").Error!.Code);
        Assert.IsTrue(Parse($$"""{"type":"ping","id":"{{new string('a', 128)}}"}""").IsValid);
    }

    [TestMethod]
    public void Cancel_ping_resume_and_approve_parse()
    {
        Assert.AreEqual(ClientFrameType.Cancel, Parse("""{"type":"cancel"}""").Frame!.Type);
        Assert.AreEqual("p", Parse("""{"type":"ping","id":"p"}""").Frame!.Id);

        ClientFrame resume = Parse("""{"type":"resume","run_id":"run-1","after_seq":0}""").Frame!;
        Assert.AreEqual("run-1", resume.RunId);
        Assert.AreEqual(0L, resume.AfterSeq);

        ClientFrame approve = Parse("""{"type":"approve","id":"a1","tool_call_id":"call_1","approve":false,"reason":"no"}""").Frame!;
        Assert.AreEqual("call_1", approve.ToolCallId);
        Assert.IsFalse(approve.Approve);
        Assert.AreEqual("no", approve.Reason);
    }

    [TestMethod]
    public void Frame_without_type_or_message_is_bad_frame()
    {
        Assert.AreEqual(ErrorCodes.BadFrame, Parse("""{"content":"hi"}""").Error!.Code);
        Assert.AreEqual(ErrorCodes.BadFrame, Parse("").Error!.Code);
    }

    [TestMethod]
    public void History_frame_keeps_its_paging_and_refuses_a_limit_out_of_range()
    {
        ClientFrame frame = Parse("""{"type":"history","id":"h","conversation_id":"conv-1","limit":20,"before":"message-9"}""").Frame!;
        ClientFrameParseResult zero = Parse("""{"type":"history","id":"h0","limit":0}""");
        ClientFrameParseResult huge = Parse("""{"type":"history","id":"h1","limit":201}""");

        Assert.AreEqual(ClientFrameType.History, frame.Type);
        Assert.AreEqual("conv-1", frame.ConversationId);
        Assert.AreEqual(20, frame.Limit);
        Assert.AreEqual("message-9", frame.Before);
        Assert.AreEqual(ErrorCodes.BadFrame, zero.Error!.Code);
        Assert.AreEqual("h0", zero.Error.Id, "the refusal names the request");
        Assert.AreEqual(ErrorCodes.BadFrame, huge.Error!.Code);
    }
}
