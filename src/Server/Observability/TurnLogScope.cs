using System.Collections;
using LettaSockets.Protocol.Chunks;

namespace LettaSockets.Server.Observability;

/// <summary>
/// The log scope of one turn: <c>TurnId</c>, <c>AgentId</c> and <c>RunId</c>. The run id is read when
/// a log entry is written, so entries logged after Letta named the run carry it without a second
/// scope. (The connection id comes from the endpoint's enclosing scope.)
/// </summary>
public sealed class TurnLogScope(TurnInfo turn) : IReadOnlyList<KeyValuePair<string, object?>>
{
    public int Count => 3;

    public KeyValuePair<string, object?> this[int index] => index switch
    {
        0 => new("TurnId", turn.Id),
        1 => new("AgentId", turn.AgentId),
        2 => new("RunId", turn.RunId),
        _ => throw new ArgumentOutOfRangeException(nameof(index)),
    };

    public IEnumerator<KeyValuePair<string, object?>> GetEnumerator()
    {
        yield return this[0];
        yield return this[1];
        yield return this[2];
    }

    IEnumerator IEnumerable.GetEnumerator() => GetEnumerator();

    public override string ToString() => $"TurnId:{turn.Id} AgentId:{turn.AgentId} RunId:{turn.RunId}";
}
