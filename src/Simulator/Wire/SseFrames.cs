using System.Text;

namespace LettaSockets.Simulator.Wire;

/// <summary>The fixed or hand-formatted frames of Letta's SSE framing, Letta's errors and Letta's cancellation.</summary>
internal static class SseFrames
{
    /// <summary>Letta's SSE framing terminator.</summary>
    public static readonly byte[] Done = "data: [DONE]\n\n"u8.ToArray();

    /// <summary>Letta's cancellation pattern B: the cancellation wrapper formats this with json.dumps, so it has spaces.</summary>
    public static readonly byte[] CancelledSpaced =
        "data: {\"message_type\": \"stop_reason\", \"stop_reason\": \"cancelled\"}\n\n"u8.ToArray();

    /// <summary>
    /// Junk a tolerant SSE client must skip: unknown fields, a comment, a field line without colon,
    /// an unknown named event and an unnamed event whose data is not JSON.
    /// </summary>
    public static readonly byte[] Garbage = Encoding.UTF8.GetBytes(
        "x-sim-junk: \u00ff not a field\n: a comment line\nnonsense-without-colon\n\n" +
        "event: sim-unknown\ndata: {\"ignored\":true}\n\n" +
        "data: not-json\n\n");

    /// <summary>older Letta versions, up to 0.14: <c>event: error</c> with a nested error object, then [DONE].</summary>
    public static byte[] LegacyError(string type, string message, string? detail)
    {
        var inner = PyJson.Dumps(("type", type), ("message", message), ("detail", detail));
        return ErrorEvent(PyJson.Dumps(("error", new PyJson.RawJson(inner))));
    }

    /// <summary>Letta's event payloads generic transport error: json.dumps formatting and no message_type.</summary>
    public static byte[] TransportError(string text) =>
        ErrorEvent(PyJson.Dumps(("error", text), ("code", "INTERNAL_SERVER_ERROR")));

    private static byte[] ErrorEvent(string json) => Encoding.UTF8.GetBytes($"event: error\ndata: {json}\n\n");
}
