using System.Collections.Concurrent;
using LettaSockets.Server.Upstream;

namespace LettaSockets.Testing;

/// <summary>An upstream for unit tests that records the runs it is asked to stop and serves nothing else.</summary>
public sealed class RecordingUpstream : IUpstream
{
    public ConcurrentQueue<(string AgentId, string? RunId)> Cancels { get; } = new();

    public UpstreamCapabilities Capabilities { get; init; } = UpstreamCapabilities.All;

    /// <summary>When set, a cancel call is recorded and then blocks the thread that made it until the
    /// event is set (at most 30 s): an upstream whose call does its sending on the caller's thread.</summary>
    public ManualResetEventSlim? HoldCancels { get; init; }

    public Task<bool> CancelRunAsync(string agentId, string? runId, CancellationToken cancellationToken)
    {
        Cancels.Enqueue((agentId, runId));
        HoldCancels?.Wait(TimeSpan.FromSeconds(30), CancellationToken.None);
        return Task.FromResult(true);
    }

    public Task<IUpstreamStream> OpenStreamAsync(LettaTurnRequest request, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<IUpstreamStream> ResumeStreamAsync(string runId, long afterSeq, CancellationToken cancellationToken) => throw new NotSupportedException();

    public Task<IUpstreamStream> ResumeTurnStreamAsync(string agentId, string? conversationId, string otid, long afterSeq, CancellationToken cancellationToken) => throw new NotSupportedException();

    /// <summary>What <see cref="ListActiveRunsAsync"/> answers (newest first, as Letta lists them).</summary>
    public IReadOnlyList<string> ActiveRuns { get; set; } = [];

    /// <summary>How many times the active runs were asked for.</summary>
    public int ActiveRunQueries => _activeRunQueries;

    private int _activeRunQueries;

    public Task<IReadOnlyList<string>> ListActiveRunsAsync(string agentId, string? conversationId, CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _activeRunQueries);
        return Task.FromResult(ActiveRuns);
    }

    public Task<ObjectOwner?> GetRunOwnerAsync(string runId, CancellationToken cancellationToken) => Task.FromResult<ObjectOwner?>(null);

    public Task<ObjectOwner?> GetConversationOwnerAsync(string conversationId, CancellationToken cancellationToken) => Task.FromResult<ObjectOwner?>(null);

    /// <summary>What <see cref="ProbeAsync"/> answers (Letta reachable by default).</summary>
    public bool Reachable { get; set; } = true;

    public int Probes => Volatile.Read(ref _probes);

    private int _probes;

    public Task<(bool Ok, string Detail)> ProbeAsync(CancellationToken cancellationToken)
    {
        Interlocked.Increment(ref _probes);
        return Task.FromResult(Reachable ? (true, "recording") : (false, "503"));
    }

    public Task<IReadOnlyList<AgentSummary>> ListAgentsAsync(CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<AgentSummary>>([]);

    public Task<IReadOnlyList<ConversationSummary>> ListConversationsAsync(string agentId, int limit, CancellationToken cancellationToken) => Task.FromResult<IReadOnlyList<ConversationSummary>>([]);

    public Task<HistoryPage> ListMessagesAsync(string agentId, string? conversationId, int limit, string? before, CancellationToken cancellationToken) => Task.FromResult(new HistoryPage([], false, null));

    public Task<ConversationSummary> CreateConversationAsync(string agentId, string? summary, CancellationToken cancellationToken) => throw new NotSupportedException();
}
