using System.Collections;

namespace LettaSockets.Server.Observability;

/// <summary>
/// The log scope of one WebSocket connection or <c>POST /stream</c> request: <c>ConnectionId</c>
/// (the gateway's <c>c_…</c> id, as in <c>ready</c>) and <c>AgentId</c>. Structured sinks get the
/// pairs; the console formatter gets a readable <see cref="ToString"/>.
/// </summary>
public sealed class ConnectionLogScope(string connectionId, string? agentId) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public int Count => 2;

    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new("ConnectionId", connectionId),
        1 => new("AgentId", agentId),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        yield return this[0];
        yield return this[1];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"ConnectionId:{connectionId} AgentId:{agentId}";
}
