using System.Collections.Concurrent;

namespace LettaSockets.Server.Connections;

/// <summary>Every live connection of this instance — WebSocket sessions and <c>POST /stream</c> requests (for shutdown, limits and metrics).</summary>
public sealed class ConnectionTracker
{
    private readonly ConcurrentDictionary<string, IDrainableConnection> _sessions = new(StringComparer.Ordinal);
    private readonly Lock _gate = new();
    private TaskCompletionSource? _empty;

    public int Count => _sessions.Count;

    public IEnumerable<IDrainableConnection> Sessions => _sessions.Values;

    public int ActiveTurns => _sessions.Values.Sum(s => s.ActiveTurns);

    public void Add(IDrainableConnection session) => _sessions[session.ConnectionId] = session;

    public void Remove(IDrainableConnection session)
    {
        _sessions.TryRemove(session.ConnectionId, out _);
        TaskCompletionSource? empty = null;
        lock (_gate)
        {
            if (_sessions.IsEmpty)
            {
                (empty, _empty) = (_empty, null);
            }
        }

        empty?.TrySetResult();
    }

    /// <summary>Completes once no session is left (shutdown waits for this; tests too).</summary>
    public Task WhenEmptyAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            if (_sessions.IsEmpty)
            {
                return Task.CompletedTask;
            }

            _empty ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            return _empty.Task.WaitAsync(cancellationToken);
        }
    }
}
