using LettaSockets.Protocol.Chunks;
using LettaSockets.Protocol.Frames;

namespace LettaSockets.Server.Turns;

/// <summary>
/// A turn's identity (what its frames carry) plus what the gateway counts while it runs and whether it
/// was cancelled: shared by the pump that produces its chunks, the pacer and the writer that sends them.
/// The counters end up in the <c>done</c> frame's metrics (<see cref="WithMetrics"/>).
/// </summary>
public sealed class TurnState(string id, string agentId, bool resumable, long startedTimestamp)
    : TurnInfo(id, agentId, resumable, startedTimestamp)
{
    private int _cancelled;

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

    /// <summary>The turn's <c>done</c> frame, at the last seq relayed.</summary>
    public StreamChunk Done(DoneInfo done) => StreamChunk.Done(this, done, LastSeq);

    /// <summary>The turn's terminal <c>error</c> frame, at the last seq relayed.</summary>
    public StreamChunk Fail(ErrorInfo error) => StreamChunk.Failure(this, error, LastSeq);

    /// <summary>The counters as the <c>done</c> frame reports them.</summary>
    public TurnMetrics Metrics => new(FirstContentTimestamp, Chunks, Frames, OutputChars);

    /// <summary>A <c>done</c> chunk with the turn's counters as they are now, for the writer about to send
    /// it; any other chunk unchanged.</summary>
    public static StreamChunk WithMetrics(in StreamChunk chunk) =>
        chunk is { Kind: ChunkKind.Done, Turn: TurnState turn, Payload: DoneInfo done }
            ? StreamChunk.Done(turn, done with { Metrics = turn.Metrics }, chunk.Seq)
            : chunk;

    /// <summary>The state behind a chunk's turn, or null for a frame of no turn.</summary>
    public static TurnState? Of(in StreamChunk chunk) => chunk.Turn as TurnState;
}
