namespace LettaSockets.Protocol.Frames;

/// <summary>The payload of an <c>error</c> frame (docs/PROTOCOL.md, "Errors"). Never holds a stack trace or a secret.</summary>
public sealed record ErrorInfo(string Code, string Message, bool Retryable = false)
{
    /// <summary>The request this error concerns (terminal for it), when there is one.</summary>
    public string? Id { get; init; }

    public string? AgentId { get; init; }

    public long? RetryAfterMs { get; init; }

    public string? StopReason { get; init; }

    /// <summary>Letta's <c>error_type</c>/text or other detail safe to show.</summary>
    public string? Detail { get; init; }
}
