using LettaSockets.Simulator.Journal;
using LettaSockets.Simulator.Runs;

namespace LettaSockets.Simulator;

/// <summary>
/// What the simulator received and how runs overlapped. Thread-safe; tests wait on it
/// (<see cref="WaitForCancelAsync(string, CancellationToken)"/>) rather than sleep.
/// </summary>
public sealed class SimulatorJournal : IRunTracker
{
    private readonly RecordList<MessageRequestRecord> _messages = new();
    private readonly RecordList<CancelRecord> _cancels = new();
    private readonly object _gate = new();
    private readonly Dictionary<string, (int Current, int Max)> _running = new(StringComparer.Ordinal);
    private int _activeRuns;

    public IReadOnlyList<MessageRequestRecord> Messages => _messages.Snapshot();

    public IReadOnlyList<CancelRecord> Cancels => _cancels.Snapshot();

    /// <summary>Runs in status running right now (a cancelled run leaves at once, Letta's cancellation).</summary>
    public int ActiveRuns => Volatile.Read(ref _activeRuns);

    /// <summary>Completes when a cancel naming <paramref name="runId"/> (in its body or by resolution) arrives or already did.</summary>
    public Task<CancelRecord> WaitForCancelAsync(string runId, CancellationToken ct = default) =>
        _cancels.WaitForAsync(c => c.TargetRunIds.Contains(runId) || (c.RunIds?.Contains(runId) ?? false), ct);

    public Task<CancelRecord> WaitForCancelAsync(Func<CancelRecord, bool> match, CancellationToken ct = default) =>
        _cancels.WaitForAsync(match, ct);

    /// <summary>
    /// The requests sent to conversation <paramref name="conversationId"/> (<c>conv-…</c>, or <c>default</c> for
    /// default-conversation sends of any agent), answered or refused, oldest first.
    /// </summary>
    public IReadOnlyList<MessageRequestRecord> MessagesToConversation(string conversationId) =>
        [.. _messages.Snapshot().Where(m => m.ConversationId == conversationId)];

    /// <summary>The cancels that named conversation <paramref name="conversationId"/>, oldest first.</summary>
    public IReadOnlyList<CancelRecord> CancelsOfConversation(string conversationId) =>
        [.. _cancels.Snapshot().Where(c => c.ConversationId == conversationId)];

    public Task<MessageRequestRecord> WaitForMessageAsync(Func<MessageRequestRecord, bool> match, CancellationToken ct = default) =>
        _messages.WaitForAsync(match, ct);

    /// <summary>The most runs of <paramref name="agentId"/> ever running at the same time.</summary>
    public int MaxConcurrentRunsPerAgent(string agentId)
    {
        lock (_gate)
        {
            return _running.TryGetValue(agentId, out var entry) ? entry.Max : 0;
        }
    }

    /// <summary>Forgets recorded requests and resets the overlap maxima to what is running now.</summary>
    public void Reset()
    {
        _messages.Clear();
        _cancels.Clear();
        lock (_gate)
        {
            foreach (var agentId in _running.Keys.ToList())
            {
                var current = _running[agentId].Current;
                _running[agentId] = (current, current);
            }
        }
    }

    internal void Add(MessageRequestRecord record) => _messages.Add(record);

    internal void Add(CancelRecord record) => _cancels.Add(record);

    void IRunTracker.RunStarted(string agentId)
    {
        Interlocked.Increment(ref _activeRuns);
        lock (_gate)
        {
            var (current, max) = _running.GetValueOrDefault(agentId);
            current++;
            _running[agentId] = (current, Math.Max(current, max));
        }
    }

    void IRunTracker.RunStopped(string agentId)
    {
        Interlocked.Decrement(ref _activeRuns);
        lock (_gate)
        {
            var (current, max) = _running.GetValueOrDefault(agentId);
            _running[agentId] = (Math.Max(0, current - 1), max);
        }
    }
}
