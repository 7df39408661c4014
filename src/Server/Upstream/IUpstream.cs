namespace LettaSockets.Server.Upstream;

/// <summary>
/// The port every upstream Letta is reached through: open or re-attach a stream of upstream events
/// for a turn, stop a run, and the few look-ups the gateway needs (run and conversation owners,
/// agents, readiness). The turn pipeline depends on this interface only; each adapter (Letta's HTTP
/// API today) translates its own wire into <see cref="LettaEvent"/>s and <see cref="UpstreamException"/>s.
/// </summary>
public interface IUpstream
{
    /// <summary>What this upstream can do; frames it cannot serve are refused before a turn starts.</summary>
    UpstreamCapabilities Capabilities { get; }

    /// <summary>Sends a message (or approval) and returns once the upstream's event stream has started.</summary>
    Task<IUpstreamStream> OpenStreamAsync(LettaTurnRequest request, CancellationToken cancellationToken);

    /// <summary>Re-attaches to a resumable run's events after <paramref name="afterSeq"/>.</summary>
    Task<IUpstreamStream> ResumeStreamAsync(string runId, long afterSeq, CancellationToken cancellationToken);

    /// <summary>Re-attaches to the resumable run that the turn whose input carried <paramref name="otid"/>
    /// started (<see cref="TurnOtid"/>), in the agent's <paramref name="conversationId"/> or its default
    /// conversation, after <paramref name="afterSeq"/>. A client that never learnt its run id resumes so.</summary>
    Task<IUpstreamStream> ResumeTurnStreamAsync(string agentId, string? conversationId, string otid, long afterSeq, CancellationToken cancellationToken);

    /// <summary>The agent's active resumable runs in <paramref name="conversationId"/> (its default
    /// conversation when null), newest first: what a follower attaches to.</summary>
    Task<IReadOnlyList<string>> ListActiveRunsAsync(string agentId, string? conversationId, CancellationToken cancellationToken);

    /// <summary>Stops a run (or the agent's current one when <paramref name="runId"/> is null); false when
    /// the upstream could not be told. Never throws for an upstream failure.</summary>
    Task<bool> CancelRunAsync(string agentId, string? runId, CancellationToken cancellationToken);

    /// <summary>The agent a run belongs to; null when the upstream does not know the run.</summary>
    Task<ObjectOwner?> GetRunOwnerAsync(string runId, CancellationToken cancellationToken);

    /// <summary>The agent a conversation belongs to; null when the upstream does not know it.</summary>
    Task<ObjectOwner?> GetConversationOwnerAsync(string conversationId, CancellationToken cancellationToken);

    /// <summary>Readiness: whether the upstream answers, with a short reason. Never throws for an upstream failure.</summary>
    Task<(bool Ok, string Detail)> ProbeAsync(CancellationToken cancellationToken);

    /// <summary>The upstream's agents, id and name only.</summary>
    Task<IReadOnlyList<AgentSummary>> ListAgentsAsync(CancellationToken cancellationToken);

    /// <summary>The agent's conversations, newest first, at most <paramref name="limit"/>.</summary>
    Task<IReadOnlyList<ConversationSummary>> ListConversationsAsync(string agentId, int limit, CancellationToken cancellationToken);

    /// <summary>A page of the agent's stored messages (of <paramref name="conversationId"/>, else its default
    /// conversation), oldest first, at most <paramref name="limit"/>, before the message <paramref name="before"/>.</summary>
    Task<HistoryPage> ListMessagesAsync(string agentId, string? conversationId, int limit, string? before, CancellationToken cancellationToken);

    /// <summary>Starts a new conversation of the agent.</summary>
    Task<ConversationSummary> CreateConversationAsync(string agentId, string? summary, CancellationToken cancellationToken);
}
