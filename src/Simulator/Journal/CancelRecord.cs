namespace LettaSockets.Simulator;

/// <summary>One call of <c>POST /v1/agents/{id}/messages/cancel</c> or <c>POST /v1/conversations/{id}/cancel</c>.</summary>
public sealed record CancelRecord
{
    /// <summary>The agent whose runs were cancelled; empty when a conversation cancel named an unknown conversation.</summary>
    public required string AgentId { get; init; }

    /// <summary>For a conversation cancel, the path's conversation (<c>conv-…</c> or <c>default</c>); null for the agent route.</summary>
    public string? ConversationId { get; init; }

    /// <summary>The body's <c>run_ids</c>; null when the body had none.</summary>
    public IReadOnlyList<string>? RunIds { get; init; }

    /// <summary>The runs the call resolved to (the body's ids, or the agent's most recent active run).</summary>
    public IReadOnlyList<string> TargetRunIds { get; init; } = [];

    public int StatusCode { get; init; }

    public SimFault? Fault { get; init; }

    public DateTimeOffset ReceivedAt { get; init; }

    /// <summary><see cref="TimeProvider.GetTimestamp"/> when it arrived.</summary>
    public long Timestamp { get; init; }
}
