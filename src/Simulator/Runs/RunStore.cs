using System.Diagnostics.CodeAnalysis;

namespace LettaSockets.Simulator;

/// <summary>
/// The runs the simulator started, foreground and background. Bounded: finished runs older than
/// <see cref="SimulatorOptions.RetainedRunLifetime"/>, and the oldest beyond <see cref="SimulatorOptions.MaxRetainedRuns"/>,
/// are forgotten whenever a run is added; an active run is never forgotten. Thread-safe.
/// </summary>
public sealed class RunStore
{
    private readonly object _gate = new();
    private readonly List<SimRun> _runs = [];
    private readonly Dictionary<string, SimRun> _byId = new(StringComparer.Ordinal);
    private readonly int _maxRetained;
    private readonly TimeSpan _lifetime;
    private readonly TimeProvider _time;

    internal RunStore(SimulatorOptions options, TimeProvider time)
    {
        _maxRetained = options.MaxRetainedRuns;
        _lifetime = options.RetainedRunLifetime;
        _time = time;
    }

    /// <summary>Oldest first.</summary>
    public IReadOnlyList<SimRun> All
    {
        get
        {
            lock (_gate)
            {
                return [.. _runs];
            }
        }
    }

    /// <summary>How many runs are remembered.</summary>
    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _runs.Count;
            }
        }
    }

    public bool TryGet(string runId, [NotNullWhen(true)] out SimRun? run)
    {
        lock (_gate)
        {
            return _byId.TryGetValue(runId, out run);
        }
    }

    /// <summary>Newest first, like <c>GET /v1/runs/?order=desc</c>.</summary>
    public IReadOnlyList<SimRun> List(string? agentId = null, bool activeOnly = false)
    {
        lock (_gate)
        {
            var result = new List<SimRun>();
            for (var i = _runs.Count - 1; i >= 0; i--)
            {
                var run = _runs[i];
                if ((agentId is null || run.AgentId == agentId) && (!activeOnly || run.IsActive))
                {
                    result.Add(run);
                }
            }

            return result;
        }
    }

    /// <summary>The run a body-less cancel targets (Letta's cancellation).</summary>
    public SimRun? MostRecentActive(string agentId) => List(agentId, activeOnly: true) is [var newest, ..] ? newest : null;

    /// <summary>The runs of <paramref name="conversationId"/>, newest first.</summary>
    public IReadOnlyList<SimRun> ListForConversation(string conversationId, bool activeOnly = false) =>
        [.. List(activeOnly: activeOnly).Where(r => r.ConversationId == conversationId)];

    /// <summary>
    /// The newest background run whose request carried exactly <paramref name="otids"/>, in order (Letta maps the
    /// hash of a request's otids to its run, and a locked background send with the same otids reads that run).
    /// </summary>
    internal SimRun? FindRetry(IReadOnlyList<string> otids)
    {
        lock (_gate)
        {
            return _runs.FindLast(r => r.Background && r.Otids.SequenceEqual(otids, StringComparer.Ordinal));
        }
    }

    /// <summary>
    /// Adds <paramref name="run"/> unless an active run already holds its <see cref="SimRun.LockKey"/> (Letta's concurrency and otids);
    /// check and add are one step, so two concurrent sends cannot both get the lock.
    /// </summary>
    internal bool TryAdd(SimRun run, [NotNullWhen(false)] out SimRun? holder)
    {
        lock (_gate)
        {
            holder = run.LockKey is null ? null : _runs.FindLast(r => r.LockKey == run.LockKey && r.IsActive);
            if (holder is not null)
            {
                return false;
            }

            Evict();
            _runs.Add(run);
            _byId[run.Id] = run;
            return true;
        }
    }

    /// <summary>Under the lock: drops expired finished runs, then the oldest finished ones until there is room for one more.</summary>
    private void Evict()
    {
        var expiredBefore = _time.GetUtcNow() - _lifetime;
        var excess = _runs.Count + 1 - _maxRetained;
        _runs.RemoveAll(run =>
        {
            if (run.IsActive)
            {
                return false;
            }

            // Oldest first, so the count limit takes the oldest finished runs.
            var expired = run.CompletedAt is { } completed && completed < expiredBefore;
            if (!expired && excess <= 0)
            {
                return false;
            }

            excess--;
            _byId.Remove(run.Id);
            return true;
        });
    }
}
