namespace LettaSockets.Server.Upstream;

/// <summary>What one Letta SSE event is (Letta docs: guides/agents/streaming).</summary>
public enum LettaEventKind : byte
{
    /// <summary>Something the gateway does not relay (another named event, a future message type).</summary>
    Other,
    Ping,
    Reasoning,
    HiddenReasoning,
    Assistant,
    ToolCall,
    ToolReturn,
    ApprovalRequest,
    StopReason,
    Usage,
    Error,
    /// <summary><c>data: [DONE]</c>.</summary>
    Done,
    /// <summary>A <c>data:</c> payload that is not valid JSON.</summary>
    Invalid,
    /// <summary>A tool began executing (<see cref="LettaEvent.ToolCall"/> names it); upstreams that report it say so in <see cref="UpstreamCapabilities.ReportsToolStart"/>.</summary>
    ToolStarted,
}
