using System.Diagnostics;
using System.Threading.Channels;
using LettaSockets.Protocol.Chunks;
using LettaSockets.Protocol.Frames;

namespace LettaSockets.Server.Turns;

/// <summary>
/// The turns of one connection (a WebSocket) or one request (<c>POST /stream</c>), whichever transport
/// carries them: the bounded outbound channel its single writer drains, the registry and its one
/// terminal frame per request id, the aborted token, cancel and detach, the shutdown drain, and the
/// one rule that a cancelled turn's content is never sent. Transports compose it and only frame.
/// </summary>
public sealed class TurnHost : ITurnHost, IDisposable
{
    private readonly ByteBoundedQueue _outbound;
    private readonly CancellationTokenSource _aborted;
    private readonly TurnRegistry _turns;
    private OwnRuns? _ownRuns;

    /// <param name="maxActiveTurns">Turns at once (one per agent).</param>
    /// <param name="queueCapacity">Frames the outbound queue holds before producers wait.</param>
    /// <param name="maxQueuedBytes">Bytes it holds before producers wait (<see cref="ChunkBytes"/>).</param>
    /// <param name="transportAborted">The transport going away (socket closed, request aborted).</param>
    /// <param name="onBufferedChange">Told every change of the bytes queued (the instance's budget and gauge).</param>
    public TurnHost(int maxActiveTurns, int queueCapacity, long maxQueuedBytes, CancellationToken transportAborted, Action<long>? onBufferedChange = null)
    {
        _outbound = new ByteBoundedQueue(queueCapacity, maxQueuedBytes, onChange: onBufferedChange, holdUntilSettled: true);
        BufferedChanged = onBufferedChange;
        _aborted = CancellationTokenSource.CreateLinkedTokenSource(transportAborted);
        _turns = new TurnRegistry(maxActiveTurns);
    }

    public ChannelWriter<StreamChunk> Output => _outbound.Writer;

    /// <summary>Bytes queued for the client right now.</summary>
    public long QueuedBytes => _outbound.Bytes;

    /// <summary>The outbound frames; the transport's writer is their only reader. What it takes stays
    /// counted against the byte bound until it calls <see cref="Settle"/>.</summary>
    public ChannelReader<StreamChunk> Frames => _outbound.Reader;

    /// <summary>The writer has sent everything it took from <see cref="Frames"/> (or dropped it): those
    /// bytes no longer count. So a frame whose send is blocked on a slow client is still inside the bound.</summary>
    public void Settle() => _outbound.Settle();

    public CancellationToken Aborted => _aborted.Token;

    public Action<long>? BufferedChanged { get; }

    /// <summary>Turns that have not sent their terminal frame yet.</summary>
    public int ActiveTurns => _turns.ActiveCount;

    /// <summary>The one content filter: once a turn is cancelled its content frames are dropped, wherever they wait.</summary>
    public static bool IsStale(in StreamChunk chunk) => chunk.Turn is TurnState { IsCancelled: true } && chunk.Kind.IsContent();

    public bool TryFinish(Turn turn) => _turns.TryFinish(turn);

    public void OnPumpStopped(Turn turn)
    {
        _turns.OnPumpStopped(turn);
        if (RemembersOwnRuns)
        {
            OwnRuns.Remember(turn);
        }
    }

    /// <inheritdoc />
    public bool JoinsDeltas { get; init; }

    /// <summary>Remember the runs this host's own turns started, once their pumps stop (after the registry), in
    /// <see cref="OwnRuns"/>: a connection's follows skip them.</summary>
    public bool RemembersOwnRuns { get; init; }

    /// <summary>The runs this host's own turns started (made when first needed: an idle connection holds none).</summary>
    public OwnRuns OwnRuns => LazyInitializer.EnsureInitialized(ref _ownRuns);

    /// <summary>Turns still running (including cancelled ones winding down).</summary>
    public Turn[] RunningTurns() => _turns.RunningTurns();

    /// <summary>Admits a turn under the registry's rules (see <see cref="TurnRegistry.TryAdmit"/>).</summary>
    public AdmitResult Admit(string id, string agentId, Func<Task?, Turn> create) => _turns.TryAdmit(id, agentId, create);

    /// <summary>True while a turn with this request id has not sent its terminal frame.</summary>
    public bool IsActive(string id) => _turns.Find(id) is not null;

    /// <summary>Cancels one turn for the client and returns it, or null when the id is unknown or its
    /// turn already ended (a cancel often races the turn's own terminal frame).</summary>
    public Turn? CancelOne(string id)
    {
        if (_turns.Find(id) is not { } target || !_turns.TryFinish(target))
        {
            return null;
        }

        target.Cancel(CancelledBy.Client);
        return target;
    }

    /// <summary>
    /// Ends every active turn and returns them: a resumable turn whose client went away or whose server
    /// is shutting down is detached (its run lives on in Letta); every other turn is cancelled.
    /// </summary>
    public List<Turn> EndAll(CancelledBy by)
    {
        List<Turn> finished = _turns.FinishAll();
        foreach (Turn turn in finished)
        {
            if (turn.Info.Resumable && by is CancelledBy.Disconnect or CancelledBy.Shutdown)
            {
                turn.Detach(by);
            }
            else
            {
                turn.Cancel(by);
            }
        }

        return finished;
    }

    /// <summary>The terminal frame a transport sends for a turn it ended itself.</summary>
    public static StreamChunk CancelledDone(Turn turn, CancelledBy by) =>
        turn.Info.Done(new DoneInfo(StopReasons.Cancelled, by, null, Stopwatch.GetTimestamp()));

    /// <summary>Shutdown, first step: detaches every resumable turn whose run is known (it can be resumed
    /// elsewhere) and returns them, for their cursors.</summary>
    public List<Turn> HandOverResumable()
    {
        var handedOver = new List<Turn>();
        foreach (Turn turn in _turns.RunningTurns())
        {
            // A resumable turn without a run id cannot be resumed yet: it drains like the others.
            if (turn.Info.Resumable && turn.Info.RunId is not null && _turns.TryFinish(turn))
            {
                turn.Detach(CancelledBy.Shutdown);
                handedOver.Add(turn);
            }
        }

        return handedOver;
    }

    /// <summary>Shutdown, second step: lets the turns still active finish for up to <paramref name="drainTimeout"/>;
    /// then ends the rest with <c>done</c> (<c>cancelled_by: shutdown</c>), their runs cancelled in Letta.
    /// Returns how many had to be ended.</summary>
    public async Task<int> DrainAsync(TimeSpan drainTimeout, TimeProvider time, CancellationToken token)
    {
        await WaitForActiveTurnsAsync(drainTimeout, time, token).ConfigureAwait(false);
        List<Turn> left = _turns.FinishAll();
        foreach (Turn turn in left)
        {
            turn.Cancel(CancelledBy.Shutdown);
            await _outbound.Writer.WriteAsync(CancelledDone(turn, CancelledBy.Shutdown), token).ConfigureAwait(false);
        }

        return left.Count;
    }

    /// <summary>No more frames: the writer sends what is queued and ends.</summary>
    public void Complete() => _outbound.Writer.TryComplete();

    /// <summary>The transport is gone: blocked producers and the loops stop.</summary>
    public void Abort() => _aborted.Cancel();

    /// <summary>Waits, bounded, for every pump (including cancelled runs winding down) to stop.</summary>
    public async Task WaitForPumpsAsync(TimeSpan timeout)
    {
        try
        {
            await Task.WhenAll(_turns.RunningPumps()).WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
    }

    public void Dispose()
    {
        _outbound.Drop(); // what the writer never took is no longer buffered for anyone
        _aborted.Dispose();
    }

    /// <summary>Waits until every turn still active has sent its terminal frame, or the drain timeout.</summary>
    private async Task WaitForActiveTurnsAsync(TimeSpan drainTimeout, TimeProvider time, CancellationToken token)
    {
        long started = time.GetTimestamp();
        while (true)
        {
            Task[] pumps = [.. _turns.RunningTurns().Where(t => !t.IsFinished).Select(t => t.Pump)];
            TimeSpan left = drainTimeout - time.GetElapsedTime(started);
            if (pumps.Length == 0 || left <= TimeSpan.Zero)
            {
                return;
            }

            try
            {
                // A turn admitted a moment before the drain may not have its pump yet: look again shortly.
                Task wait = pumps.All(p => p.IsCompleted) ? Task.Delay(TimeSpan.FromMilliseconds(10), time, token) : Task.WhenAll(pumps);
                await wait.WaitAsync(left, time, token).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
                return;
            }
        }
    }
}
