namespace LettaSockets.Simulator;

/// <summary>The failures <see cref="FaultInjector"/> can stage. "K events" counts every SSE event of the response, the initial ping included.</summary>
public enum FaultKind
{
    /// <summary>A JSON error status before any stream: <see cref="SimFault.StatusCode"/>, <see cref="SimFault.Body"/> (a Letta-shaped default per status), optional <c>Retry-After</c>.</summary>
    HttpError,

    /// <summary>An HTML error page (status 502 unless set), as a proxy in front of Letta would send.</summary>
    HtmlError,

    /// <summary>The connection is aborted before any header is written.</summary>
    AbortConnection,

    /// <summary>A 200 stream that goes silent after K events: no data, no keepalive, until the client leaves.</summary>
    Stall,

    /// <summary>Letta's errors (a): after K events, <c>stop_reason</c> llm_api_error, <c>event: error</c> error_message (llm_rate_limit), [DONE].</summary>
    ErrorBeforeMessages,

    /// <summary>Letta's errors (b): after K events, <c>stop_reason</c> error, <c>event: error</c> internal_error, then EOF without [DONE].</summary>
    ErrorAfterMessages,

    /// <summary>older Letta versions (≤0.14): after K events, <c>event: error</c> with <c>{"error":{"type":"llm_timeout",…}}</c>, then [DONE].</summary>
    LegacyError,

    /// <summary>Letta's event payloads: after K events, <c>event: error</c> with <c>{"error": "…", "code": "INTERNAL_SERVER_ERROR"}</c>, then EOF.</summary>
    TransportError,

    /// <summary>Every event is held back by <see cref="SimFault.Delay"/> first.</summary>
    SlowStream,

    /// <summary>After K events, half of the next event is written and the connection aborted.</summary>
    CutOffMidEvent,

    /// <summary>After K events, junk lines, an unknown named event and <c>data: not-json</c>; the stream then goes on normally.</summary>
    GarbageLines,

    /// <summary>After K events, one assistant message of <see cref="SimFault.Size"/> bytes (default 2 MiB).</summary>
    HugeEvent,

    /// <summary>Waits <see cref="SimFault.Delay"/> before handling the request, then answers normally.</summary>
    Delay,
}
