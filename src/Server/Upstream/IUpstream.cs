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

    /// <summary>The agent's run a client most likely wants to resume (newest active, else newest); null if none.</summary>
    Task<string?> FindLatestBackgroundRunAsync(string agentId, CancellationToken cancellationToken);

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
}
