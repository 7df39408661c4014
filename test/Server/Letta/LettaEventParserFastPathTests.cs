using System.Text;
using CsCheck;
using LettaSockets.Server.Letta;
using LettaSockets.Server.Upstream;

namespace LettaSockets.Server.Tests.Letta;

/// <summary>
/// The parser's fast path for flat events must read every event exactly as the <c>Utf8JsonReader</c> path
/// does, or leave it to that path. Generated events (Letta's fields and others; strings with and without
/// escapes, control characters and invalid UTF-8; numbers valid and not; literals; nested values; random
/// whitespace; and broken syntax) are parsed both ways and compared field by field.
/// </summary>
[TestClass]
public sealed class LettaEventParserFastPathTests
{
    private static readonly string[] Names =
    [
        "message_type", "run_id", "otid", "id", "seq_id", "content", "reasoning", "hidden_reasoning", "tool_calls", "tool_call",
        "tool_return", "status", "tool_call_id", "name", "stdout", "stderr", "stop_reason", "error_type", "message", "detail",
        "code", "error", "prompt_tokens", "completion_tokens", "total_tokens", "step_count", "cached_input_tokens",
        "cache_write_tokens", "reasoning_tokens", "context_tokens", "date", "sender_id", "step_id", "is_err", "x",
    ];

    private static readonly string[] Kinds =
    [
        "assistant_message", "reasoning_message", "tool_call_message", "ping", "tool_return_message", "hidden_reasoning_message",
        "approval_request_message", "stop_reason", "usage_statistics", "error_message", "something_new",
    ];

    private static readonly Gen<byte[]> Value = Gen.Frequency(
        (6, Pick(Kinds).Select(Quoted)),
        (6, Gen.String[Gen.Char['a', 'z'], 0, 12].Select(Quoted)),
        (2, Pick("héllo ✓", "🙂 ok", "日本").Select(Quoted)),
        (2, Pick("a\\\"b", "line\\nnext", "\\u00e9", "tab\\t").Select(Quoted)),
        (1, Pick("raw\u0001ctl", "raw\ttab").Select(Quoted)),
        (1, Gen.Const(new byte[] { (byte)'"', 0xC3, 0x28, (byte)'"' })),
        (1, Gen.Const(new byte[] { (byte)'"', (byte)'a', 0xFF, (byte)'"' })),
        (4, Pick("0", "7", "-1", "42", "1.5", "1e3", "-0.25E-2", "9223372036854775807", "99999999999999999999").Select(Ascii)),
        (1, Pick("01", "1.", "-", ".5", "1e", "+1", "0x1", "1a").Select(Ascii)),
        (3, Pick("null", "true", "false").Select(Ascii)),
        (1, Pick("nul", "True", "nulll").Select(Ascii)),
        (2, Pick("{\"name\":\"roll\",\"tool_call_id\":\"c1\"}", "[{\"type\":\"text\",\"text\":\"b\"}]", "[\"l1\",\"l2\"]", "[]", "{}").Select(Ascii)));

    private static readonly Gen<byte[]> Whitespace = Gen.Frequency((8, Gen.Const(Array.Empty<byte>())), (1, Pick(" ", "\n", "\t", "\r\n  ").Select(Ascii)));

    private static readonly Gen<byte[]> Member = Gen.Select(Gen.Frequency((9, Pick(Names)), (1, Pick("a\\\"b", "ké", "ctl\u0002"))), Whitespace, Value, Whitespace,
        (name, ws, value, ws2) => Concat(Quoted(name), ws, Ascii(":"), ws2, value, ws));

    /// <summary>An event: members joined by commas in braces, now and then with its syntax broken.</summary>
    private static readonly Gen<byte[]> Event = Gen.Select(Member.Array[0, 12], Gen.Int[0, 12], Whitespace, (members, breakage, ws) =>
    {
        var joined = new List<byte>(Concat(ws, Ascii("{"), ws));
        for (int m = 0; m < members.Length; m++)
        {
            if (m > 0)
            {
                joined.AddRange(breakage == 1 ? Ascii(" ") : Ascii(","));
            }

            joined.AddRange(members[m]);
        }

        joined.AddRange(breakage switch
        {
            2 => Ascii(",}"),
            3 => Ascii(""),
            4 => Ascii("} trailing"),
            5 => Ascii("}]"),
            _ => Ascii("}"),
        });
        return breakage == 6 && joined.Count > 2 ? joined.Take(joined.Count / 2).ToArray() : joined.ToArray();
    });

    [TestMethod]
    public void Generated_events_read_the_same_on_the_fast_path_and_through_the_reader()
    {
        Event.Sample(data =>
        {
            var fast = new LettaEventParser();
            var reader = new LettaEventParser { FastPath = false };
            foreach (string type in new[] { "message", "error" })
            {
                string expected = Describe(reader.Parse(type, data));
                string actual = Describe(fast.Parse(type, data));
                if (expected != actual)
                {
                    throw new InvalidOperationException($"{Encoding.UTF8.GetString(data)} ({type}):\n reader: {expected}\n fast:   {actual}");
                }
            }
        }, iter: 20_000, seed: "0N0XIzNsQ0O2");
    }

    [TestMethod]
    public void Every_field_name_is_recognised_and_nothing_else()
    {
        // Both paths dispatch on FieldOf; a wrong entry there would read the same wrong way on both.
        var expected = new Dictionary<string, LettaEventParser.Field>
        {
            ["message_type"] = LettaEventParser.Field.MessageType, ["run_id"] = LettaEventParser.Field.RunId,
            ["otid"] = LettaEventParser.Field.Otid, ["id"] = LettaEventParser.Field.Id, ["seq_id"] = LettaEventParser.Field.SeqId,
            ["content"] = LettaEventParser.Field.Text, ["reasoning"] = LettaEventParser.Field.Text, ["hidden_reasoning"] = LettaEventParser.Field.Text,
            ["tool_calls"] = LettaEventParser.Field.ToolCalls, ["tool_call"] = LettaEventParser.Field.ToolCall,
            ["tool_return"] = LettaEventParser.Field.ToolReturn, ["status"] = LettaEventParser.Field.Status,
            ["tool_call_id"] = LettaEventParser.Field.ToolCallId, ["name"] = LettaEventParser.Field.Name,
            ["stdout"] = LettaEventParser.Field.Stdout, ["stderr"] = LettaEventParser.Field.Stderr,
            ["stop_reason"] = LettaEventParser.Field.StopReason, ["error_type"] = LettaEventParser.Field.ErrorType,
            ["message"] = LettaEventParser.Field.Message, ["detail"] = LettaEventParser.Field.Detail, ["code"] = LettaEventParser.Field.Code,
            ["error"] = LettaEventParser.Field.Error, ["prompt_tokens"] = LettaEventParser.Field.PromptTokens,
            ["completion_tokens"] = LettaEventParser.Field.CompletionTokens, ["total_tokens"] = LettaEventParser.Field.TotalTokens,
            ["step_count"] = LettaEventParser.Field.StepCount, ["cached_input_tokens"] = LettaEventParser.Field.CachedInputTokens,
            ["cache_write_tokens"] = LettaEventParser.Field.CacheWriteTokens, ["reasoning_tokens"] = LettaEventParser.Field.ReasoningTokens,
            ["context_tokens"] = LettaEventParser.Field.ContextTokens,
        };
        Assert.HasCount(Enum.GetValues<LettaEventParser.Field>().Length - 1 + 2, expected, "Every field but Other has a name (Text has three).");
        foreach ((string name, LettaEventParser.Field field) in expected)
        {
            Assert.AreEqual(field, LettaEventParser.FieldOf(Encoding.UTF8.GetBytes(name)), name);
        }

        // Letta's fields the gateway ignores, names one byte off a known one, and case variants are Other.
        foreach (string other in new[] { "", "date", "sender_id", "step_id", "is_err", "i", "idd", "Id", "run_ids", "cont3nt", "messagE", "stop_reasons", "x" })
        {
            Assert.AreEqual(LettaEventParser.Field.Other, LettaEventParser.FieldOf(Encoding.UTF8.GetBytes(other)), other);
        }
    }

    [TestMethod]
    public void A_typical_delta_is_read_on_the_fast_path()
    {
        byte[] delta = Encoding.UTF8.GetBytes("{\"id\":\"message-1\",\"date\":\"2026-05-20T09:14:03+00:00\",\"name\":null,\"message_type\":\"assistant_message\",\"otid\":\"o-1\",\"sender_id\":null,\"step_id\":\"step-1\",\"is_err\":null,\"seq_id\":12,\"run_id\":\"run-7\",\"content\":\"Hel\"}");

        LettaEvent e = new LettaEventParser().Parse("message", delta);

        Assert.AreEqual(LettaEventKind.Assistant, e.Kind);
        Assert.AreEqual("Hel", e.Text);
        Assert.AreEqual(12L, e.Seq);
        Assert.AreEqual("run-7", e.RunId);
        Assert.AreEqual("o-1", e.Otid);
        Assert.AreEqual("message-1", e.Id);
        Assert.AreEqual(Describe(new LettaEventParser { FastPath = false }.Parse("message", delta)), Describe(e));
    }

    private static string Describe(LettaEvent e)
    {
        string calls = e.ToolCalls is null ? "-" : string.Join(";", e.ToolCalls.Select(c => c.ToString()));
        string result = e.ToolReturn is null ? "-" : $"{e.ToolReturn} out[{Join(e.ToolReturn.Stdout)}] err[{Join(e.ToolReturn.Stderr)}]";
        return $"{e.Kind} run={e.RunId} otid={e.Otid} id={e.Id} seq={e.Seq} text={e.Text} call={e.ToolCall} calls={calls} return={result} stop={e.StopReason} usage={e.Usage} error={e.Error}";
    }

    private static string Join(IReadOnlyList<string>? lines) => lines is null ? "null" : string.Join("|", lines);

    private static Gen<T> Pick<T>(params T[] items) => Gen.Int[0, items.Length - 1].Select(i => items[i]);

    private static byte[] Quoted(string s) => Encoding.UTF8.GetBytes("\"" + s + "\"");

    private static byte[] Ascii(string s) => Encoding.UTF8.GetBytes(s);

    private static byte[] Concat(params byte[][] parts) => parts.SelectMany(p => p).ToArray();
}
