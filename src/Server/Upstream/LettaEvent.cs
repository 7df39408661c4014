using LettaSockets.Protocol.Frames;

namespace LettaSockets.Server.Upstream;

/// <summary>
/// One parsed Letta SSE event. A struct: the frequent kinds (assistant, reasoning and tool-call
/// deltas) use only the inline fields, which the parser fills with cached strings where it can.
/// </summary>
public readonly record struct LettaEvent(LettaEventKind Kind)
{
    public string? RunId { get; init; }

    /// <summary>Letta's <c>otid</c>: the id of one logical message (Letta docs: guides/agents/streaming).</summary>
    public string? Otid { get; init; }

    /// <summary>Letta's <c>id</c> (shared by a whole LLM response); the fallback message id.</summary>
    public string? Id { get; init; }

    /// <summary><c>seq_id</c>, or -1 when null (foreground streams).</summary>
    public long Seq { get; init; }

    /// <summary>Assistant content, reasoning, or hidden reasoning text.</summary>
    public string? Text { get; init; }

    /// <summary>The tool call of <c>tool_calls</c> when it is a single object (token mode).</summary>
    public ToolCallDelta ToolCall { get; init; }

    /// <summary>All calls when <c>tool_calls</c> is an array (step mode).</summary>
    public ToolCallDelta[]? ToolCalls { get; init; }

    public ToolResultInfo? ToolReturn { get; init; }

    public string? StopReason { get; init; }

    public UsageInfo? Usage { get; init; }

    public LettaError? Error { get; init; }
}
