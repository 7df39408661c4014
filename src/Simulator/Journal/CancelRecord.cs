namespace LettaSockets.Simulator;

/// <summary>One call of <c>POST /v1/agents/{id}/messages/cancel</c>.</summary>
public sealed record CancelRecord
{
    public required string AgentId { get; init; }

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
