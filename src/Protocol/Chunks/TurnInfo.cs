using System.Diagnostics;
using LettaSockets.Protocol.Frames;

namespace LettaSockets.Protocol.Chunks;

/// <summary>
/// Identity and running totals of one turn, shared by the pump that produces its chunks and the
/// writer that sends them. One allocation per turn; chunks only reference it.
/// </summary>
public sealed class TurnInfo
{
    private int _cancelled;
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

    /// <summary>Letta's run id, once its initial ping (or first message) told it.</summary>
    public string? RunId
    {
        get => Volatile.Read(ref _runId);
        set => Volatile.Write(ref _runId, value);
    }

    /// <summary><see cref="Stopwatch.GetTimestamp"/> when the turn was accepted.</summary>
    public long StartedTimestamp { get; }

    /// <summary>When the first content delta arrived from Letta (0 until then).</summary>
    public long FirstContentTimestamp { get; set; }

    /// <summary>Deltas relayed from Letta (before merging).</summary>
    public int Chunks { get; set; }

    /// <summary>Frames the writer sent for this turn; updated by the writer only.</summary>
    public int Frames { get; set; }

    /// <summary>Characters of assistant text relayed.</summary>
    public long OutputChars { get; set; }

    /// <summary>The last Letta <c>seq_id</c> relayed (resumable turns), or -1.</summary>
    public long LastSeq { get; set; } = -1;

    /// <summary>The last <c>seq</c> the writer actually sent to the client, or -1: the cursor a
    /// shutdown hands out (frames still queued are not the client's yet). Updated by the writer only.</summary>
    public long SentSeq { get; set; } = -1;

    /// <summary>True once the turn was cancelled: from then on the writer drops its content frames.</summary>
    public bool IsCancelled => Volatile.Read(ref _cancelled) != 0;

    public CancelledBy CancelledBy { get; private set; }

    /// <summary>Marks the turn cancelled; returns false when it already was (the first cause wins).</summary>
    public bool TryMarkCancelled(CancelledBy by)
    {
        if (Interlocked.Exchange(ref _cancelled, 1) != 0)
        {
            return false;
        }

        CancelledBy = by;
        return true;
    }
}
