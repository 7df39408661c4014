namespace LettaSockets.Protocol.Frames;

/// <summary>
/// A parsed client frame. One class for every type: the fields a type does not use stay null.
/// Produced by <see cref="Parsing.ClientFrameParser"/>, which has already checked the per-type
/// required fields.
/// </summary>
public sealed class ClientFrame
{
    public ClientFrameType Type { get; init; }

    /// <summary>The request id; null when the client sent none (the server assigns one).</summary>
    public string? Id { get; init; }

    public string? Content { get; init; }

    public string? AgentId { get; init; }

    public string? ConversationId { get; init; }

    public bool? Resumable { get; init; }

    public double? MaxCharsPerSecond { get; init; }

    public string? RunId { get; init; }

    public long? AfterSeq { get; init; }

    public string? ToolCallId { get; init; }

    public bool? Approve { get; init; }

    public string? Reason { get; init; }

    /// <summary><c>history</c>: how many messages at most.</summary>
    public int? Limit { get; init; }

    /// <summary><c>history</c>: the page before this message id (the previous answer's <c>before</c>).</summary>
    public string? Before { get; init; }

    /// <summary>True when the frame was one of the shorthands (plain text or <c>{"message":…}</c>).</summary>
    public bool IsShorthand { get; init; }
}
