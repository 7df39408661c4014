using System.Net.WebSockets;
using System.Text;

namespace LettaSockets.Server.Tests.Hardening;

/// <summary>
/// Frames a client may send by mistake or malice, each with the answer the protocol promises: an
/// <c>error</c> frame with a code, or — for invalid UTF-8 in a text frame, which .NET's WebSocket
/// rejects before the gateway sees it (RFC 6455 §8.1) — a close with 1007 <c>InvalidPayloadData</c>.
/// </summary>
public static class BadInputCorpus
{
    public sealed record Case(byte[] Payload, string? Code, WebSocketMessageType Type = WebSocketMessageType.Text, int Fragment = 0, WebSocketCloseStatus? Close = null);

    public static readonly IReadOnlyDictionary<string, Case> Cases = Build();

    /// <summary>The case names, for <c>[DynamicData]</c>.</summary>
    public static IEnumerable<object[]> Names => Cases.Keys.Select(k => new object[] { k });

    private static Dictionary<string, Case> Build()
    {
        var c = new Dictionary<string, Case>(StringComparer.Ordinal);
        void Text(string name, string text, string code) => c[name] = new Case(Encoding.UTF8.GetBytes(text), code);
        void Bytes(string name, byte[] bytes, string? code, WebSocketCloseStatus? close = null) => c[name] = new Case(bytes, code, Close: close);

        // Not JSON, though it starts with '{'.
        Text("unterminated object", "{", "bad_frame");
        Text("truncated message", "{\"type\":\"message\",", "bad_frame");
        Text("trailing garbage", "{\"type\":\"ping\"} x", "bad_frame");
        Text("two objects", "{\"type\":\"ping\"}{\"type\":\"ping\"}", "bad_frame");
        Text("single quotes", "{'type':'ping'}", "bad_frame");
        Text("trailing comma", "{\"type\":\"ping\",}", "bad_frame");
        Text("comment", "{\"type\":\"ping\" /* hi */}", "bad_frame");
        Text("invalid escape", "{\"type\":\"message\",\"content\":\"\\x\"}", "bad_frame");
        Text("lone surrogate escape", "{\"type\":\"message\",\"content\":\"\\ud800\"}", "bad_frame");
        Bytes("raw control byte in a string", Encoding.UTF8.GetBytes("{\"type\":\"message\",\"content\":\"a\u0001b\"}"), "bad_frame");
        Bytes("raw NUL byte in a string", Encoding.UTF8.GetBytes("{\"type\":\"message\",\"content\":\"a\0b\"}"), "bad_frame");
        Text("deeply nested objects", string.Concat(Enumerable.Repeat("{\"a\":", 1000)) + "1" + new string('}', 1000), "bad_frame");
        Text("deeply nested arrays in an unknown field", "{\"x\":" + new string('[', 5000) + new string(']', 5000) + "}", "bad_frame");

        // Numbers and strings out of range.
        Text("number beyond double", "{\"type\":\"message\",\"content\":\"hi\",\"max_chars_per_second\":1e400}", "bad_frame");
        Text("after_seq beyond long", "{\"type\":\"resume\",\"run_id\":\"run-1\",\"after_seq\":123456789012345678901234567890}", "bad_frame");
        Text("negative after_seq", "{\"type\":\"resume\",\"run_id\":\"run-1\",\"after_seq\":-1}", "bad_frame");
        Text("fractional after_seq", "{\"type\":\"resume\",\"run_id\":\"run-1\",\"after_seq\":1.5}", "bad_frame");
        Text("content over max_content_chars", "{\"type\":\"message\",\"content\":\"" + new string('y', 40_000) + "\"}", "content_too_large");
        Text("id of 129 characters", "{\"type\":\"ping\",\"id\":\"" + new string('i', 129) + "\"}", "bad_frame");
        Text("empty id", "{\"type\":\"ping\",\"id\":\"\"}", "bad_frame");
        Text("control character in id", "{\"type\":\"ping\",\"id\":\"a\\u0007\"}", "bad_frame");
        Text("escaped NUL in content", "{\"type\":\"message\",\"content\":\"a\\u0000b\"}", "bad_frame");
        Bytes("plain text of NULs", [0, 0, 0], "bad_frame");

        // Wrong types, one field at a time.
        foreach ((string field, string value) in new[]
        {
            ("type", "1"), ("id", "1"), ("content", "1"), ("content", "[]"), ("content", "{}"), ("agent_id", "1"),
            ("conversation_id", "true"), ("resumable", "\"yes\""), ("max_chars_per_second", "\"fast\""),
            ("max_chars_per_second", "0"), ("max_chars_per_second", "-5"), ("run_id", "1"), ("after_seq", "\"1\""),
            ("tool_call_id", "1"), ("approve", "\"yes\""), ("reason", "1"),
        })
        {
            string json = field switch
            {
                "type" => $"{{\"type\":{value},\"content\":\"hi\"}}",
                "content" => $"{{\"type\":\"message\",\"content\":{value}}}",
                _ => $"{{\"type\":\"message\",\"content\":\"hi\",\"{field}\":{value}}}",
            };
            Text($"{field} as {value}", json, "bad_frame");
        }

        Text("message shorthand as a number", "{\"message\":1}", "bad_frame");

        // Well-formed JSON the protocol refuses.
        Text("type null", "{\"type\":null}", "unknown_type");
        Text("unknown type", "{\"type\":\"teleport\"}", "unknown_type");
        Text("no type", "{}", "bad_frame");
        Text("message without content", "{\"type\":\"message\",\"id\":\"m\"}", "bad_frame");
        Text("empty content", "{\"type\":\"message\",\"content\":\"\"}", "bad_frame");
        Text("approve without tool_call_id", "{\"type\":\"approve\",\"id\":\"a\",\"approve\":true}", "bad_frame");
        Text("resume without run_id or id", "{\"type\":\"resume\"}", "bad_frame");
        Text("agent id with path characters", "{\"type\":\"message\",\"content\":\"hi\",\"agent_id\":\"../admin\"}", "invalid_agent_id");
        Text("empty agent id", "{\"type\":\"message\",\"content\":\"hi\",\"agent_id\":\"\"}", "invalid_agent_id");
        Text("conversation id with a slash", "{\"type\":\"message\",\"content\":\"hi\",\"conversation_id\":\"a/b\"}", "bad_frame");
        Text("run id with dots", "{\"type\":\"resume\",\"id\":\"x\",\"run_id\":\"run/../x\"}", "bad_frame");
        Text("empty frame", "", "bad_frame");
        Text("whitespace only", " \n\t ", "bad_frame");

        // Size, kind and framing.
        Text("1 MiB text frame", "{\"type\":\"message\",\"content\":\"" + new string('x', 1024 * 1024) + "\"}", "frame_too_large");
        c["binary frame"] = new Case([1, 2, 3, 0, 255], "unsupported_frame", WebSocketMessageType.Binary);
        c["1 MiB binary frame"] = new Case(new byte[1024 * 1024], "unsupported_frame", WebSocketMessageType.Binary);
        c["fragmented invalid JSON"] = new Case(Encoding.UTF8.GetBytes("{\"type\":\"message\",\"content\":\"split\""), "bad_frame", Fragment: 7);
        c["fragmented frame over the limit"] = new Case(Encoding.UTF8.GetBytes(new string('z', 100 * 1024)), "frame_too_large", Fragment: 1024);
        c["fragmented binary"] = new Case(new byte[10_000], "unsupported_frame", WebSocketMessageType.Binary, Fragment: 999);
        c["fragmented unknown type, one byte a fragment"] = new Case(Encoding.UTF8.GetBytes("{\"type\":\"nope\"}"), "unknown_type", Fragment: 1);

        // Invalid UTF-8 in a text frame: closed by the WebSocket layer.
        Bytes("invalid UTF-8 bytes", [(byte)'{', 0xFF, 0xFE, (byte)'}'], null, WebSocketCloseStatus.InvalidPayloadData);
        Bytes("UTF-8 encoded surrogate", [0x61, 0xED, 0xA0, 0x80], null, WebSocketCloseStatus.InvalidPayloadData);
        Bytes("overlong UTF-8", [0xC0, 0xAF], null, WebSocketCloseStatus.InvalidPayloadData);
        Bytes("truncated UTF-8 at the end", [0x61, 0x62, 0xE2, 0x82], null, WebSocketCloseStatus.InvalidPayloadData);
        return c;
    }
}
