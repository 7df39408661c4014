using System.Diagnostics;

namespace LettaSockets.Protocol.Chunks;

/// <summary>
/// Who a frame belongs to, as the wire shows it: the request id, the agent, whether the turn is
/// resumable, when it was accepted, and Letta's run id once known. One allocation per turn; chunks
/// only reference it. What a server counts while the turn runs (and its cancel state) is the server's:
/// it extends this class, and hands the counters the <c>done</c> frame shows in
/// <see cref="Frames.DoneInfo.Metrics"/>.
/// </summary>
public class TurnInfo
{
    private string? _runId;

    public TurnInfo(string id, string agentId, bool resumable, long startedTimestamp)
    {
        Id = id;
        AgentId = agentId;
        Resumable = resumable;
        StartedTimestamp = startedTimestamp;
    }

    /// <summary>The request id (the client's, or one the server assigned).</summary>
    public string Id { get; }

    public string AgentId { get; }

    public bool Resumable { get; }

    /// <summary>Letta's run id, once its initial ping (or first message) told it; set once.</summary>
    public string? RunId
    {
        get => Volatile.Read(ref _runId);
        set => Volatile.Write(ref _runId, value);
    }

    /// <summary><see cref="Stopwatch.GetTimestamp"/> when the turn was accepted.</summary>
    public long StartedTimestamp { get; }

    /// <summary>The turn was started elsewhere (another socket, device or instance) and this socket follows
    /// it: its frames say <c>"followed":true</c>.</summary>
    public bool Followed { get; init; }
}
