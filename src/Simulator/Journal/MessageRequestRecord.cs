namespace LettaSockets.Simulator;

/// <summary>One request the simulator received on a send route, answered or refused.</summary>
public sealed record MessageRequestRecord
{
    public required string AgentId { get; init; }

    /// <summary><c>messages</c>, <c>messages/stream</c> or <c>conversations/messages</c>.</summary>
    public required string Route { get; init; }

    /// <summary>
    /// The conversation a <c>conversations/messages</c> request went to, as its path named it: <c>conv-…</c>,
    /// or <c>default</c> for the agent's default conversation; null on the agent routes. For a default-conversation
    /// send <see cref="AgentId"/> is the body's <c>agent_id</c>; for an unknown conversation it is empty.
    /// </summary>
    public string? ConversationId { get; init; }

    public string? UserText { get; init; }

    /// <summary>The first input message's otid.</summary>
    public string? Otid { get; init; }

    public IReadOnlyList<string> Otids { get; init; } = [];

    public IReadOnlyList<ApprovalDecision> Approvals { get; init; } = [];

    public bool Streaming { get; init; }

    public bool StreamTokens { get; init; }

    public bool IncludePings { get; init; }

    public bool Background { get; init; }

    public bool HasAuthorization { get; init; }

    public string? ProjectId { get; init; }

    public string? UserAgent { get; init; }

    public string? StainlessPackageVersion { get; init; }

    /// <summary>The run created for it; null when the request was refused.</summary>
    public string? RunId { get; init; }

    /// <summary>
    /// A retry of a locked background send (Letta maps a request's otids to its run: the same otids as run <see cref="RunId"/>), answered with that run's
    /// stream instead of a new run.
    /// </summary>
    public bool Recovered { get; init; }

    /// <summary>The status answered (200 for streams); 0 when the connection was aborted.</summary>
    public int StatusCode { get; init; }

    /// <summary>The fault that shaped the answer, if any.</summary>
    public SimFault? Fault { get; init; }

    public DateTimeOffset ReceivedAt { get; init; }

    /// <summary><see cref="TimeProvider.GetTimestamp"/> when it arrived.</summary>
    public long Timestamp { get; init; }
}
