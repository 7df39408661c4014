using System.Collections.Concurrent;

namespace LettaSockets.Server.Sockets;

/// <summary>Every live WebSocket session of this instance (for shutdown, limits and metrics).</summary>
public sealed class ConnectionTracker
{
    private readonly ConcurrentDictionary<string, SocketSession> _sessions = new(StringComparer.Ordinal);

    public int Count => _sessions.Count;

    public IEnumerable<SocketSession> Sessions => _sessions.Values;

    public int ActiveTurns => _sessions.Values.Sum(s => s.ActiveTurns);

    public void Add(SocketSession session) => _sessions[session.ConnectionId] = session;

    public void Remove(SocketSession session) => _sessions.TryRemove(session.ConnectionId, out _);
}
