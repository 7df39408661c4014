using LettaSockets.Protocol.Chunks;
using LettaSockets.Protocol.Frames;
using LettaSockets.Server.Upstream;

namespace LettaSockets.Server.Turns;

/// <summary>
/// One request (message, approve or resume) from a client, from acceptance until its pump has
/// stopped. Two cancellation sources with different jobs: <see cref="OutputToken"/> stops frames to
/// the client at once; <see cref="UpstreamToken"/> aborts the HTTP stream to Letta, which after a
/// client cancel is kept open (bounded) until Letta has really wound the run down.
/// </summary>
public sealed class Turn : IDisposable
{
    private readonly CancellationTokenSource _output;
    private readonly CancellationTokenSource _upstream;
    private readonly TimeSpan _windDown;
    private readonly Lock _sync = new();
    private int _terminal;
    private int _cancelCallStarted;
    private int _inCallbacks;
    private int _detached;
    private bool _disposeRequested;
    private bool _disposed;

    private readonly RunCanceller? _canceller;

    /// <param name="canceller">How the turn's run is stopped in Letta; null only where no run can exist (unit tests).</param>
    public Turn(TurnState info, LettaTurnRequest request, TurnOptions options, TimeProvider time, RunCanceller? canceller, CancellationToken hostAborted)
    {
        _canceller = canceller;
        Info = info;
        Request = request;
        Options = options;
        _windDown = options.WindDownTimeout;
        _output = CancellationTokenSource.CreateLinkedTokenSource(hostAborted);
        _upstream = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
    }

    public TurnState Info { get; }

    public LettaTurnRequest Request { get; }

    public TurnOptions Options { get; }

    /// <summary>For a resume turn: the cursor to re-attach after; the run is <see cref="TurnInfo.RunId"/>,
    /// or, when the client did not know it, found through Letta's runs listing.</summary>
    public long? ResumeAfterSeq { get; init; }

    /// <summary>For a resume turn: the run the client named. It becomes <see cref="TurnInfo.RunId"/> only
    /// once it is known to be the turn's agent's (until then nothing, not even a cancel, may touch it).</summary>
    public string? RequestedRunId { get; init; }

    /// <summary>The previous turn's pump for the same agent, still winding its run down.</summary>
    public Task? Predecessor { get; init; }

    public CancellationToken OutputToken => _output.Token;

    public CancellationToken UpstreamToken => _upstream.Token;

    /// <summary>The pump; set by whoever starts it, awaited by the host on teardown.</summary>
    public Task Pump { get; set; } = Task.CompletedTask;

    /// <summary>The call to Letta's cancel endpoint, once one was started.</summary>
    public Task CancelCall { get; private set; } = Task.CompletedTask;

    /// <summary>True once a terminal frame was claimed (by the pump or by a cancel).</summary>
    public bool IsFinished => Volatile.Read(ref _terminal) != 0;

    /// <summary>Claims the one terminal frame of this request id. Hosts call this under their lock.</summary>
    public bool TryClaimTerminal() => Interlocked.Exchange(ref _terminal, 1) == 0;

    /// <summary>
    /// Stops the turn for the client. The caller must already hold the terminal claim (or be tearing
    /// the host down). Letta is told to cancel as soon as the run id is known.
    /// </summary>
    public void Cancel(CancelledBy by)
    {
        lock (_sync)
        {
            if (_disposed || !Info.TryMarkCancelled(by))
            {
                return;
            }

            _inCallbacks++;
            try
            {
                _output.Cancel();
                StopRunIfAbandoned(RunStop.Cancelled);

                // After a client cancel keep reading until Letta ends the stream, so the next turn for
                // this agent can wait for the run to stop instead of overlapping it. Without a run id,
                // keep reading until Letta tells it. Otherwise nobody is waiting: drop the stream now.
                if (by == CancelledBy.Client || Info.RunId is null)
                {
                    _upstream.CancelAfter(_windDown);
                }
                else
                {
                    _upstream.Cancel();
                }
            }
            finally
            {
                LeaveCallbacks();
            }
        }
    }

    /// <summary>
    /// Detaches a resumable turn without cancelling its run in Letta (docs/PROTOCOL.md, "Resuming"). Until Letta
    /// has named the run, the request stays open (bounded) so that the run exists and can be found.
    /// </summary>
    public void Detach(CancelledBy by)
    {
        lock (_sync)
        {
            if (_disposed || !Info.TryMarkCancelled(by))
            {
                return;
            }

            Volatile.Write(ref _detached, 1);
            _inCallbacks++;
            try
            {
                _output.Cancel();
                if (Info.RunId is null)
                {
                    _upstream.CancelAfter(_windDown);
                }
                else
                {
                    _upstream.Cancel();
                }
            }
            finally
            {
                LeaveCallbacks();
            }
        }
    }

    /// <summary>Detached (<see cref="Detach"/>): its run lives on in Letta, to be resumed.</summary>
    public bool IsDetached => Volatile.Read(ref _detached) != 0;

    /// <summary>
    /// The one place that decides whether Letta must be told to stop this turn's run, and tells it
    /// once. Nothing to name while the run id is unknown (the pump calls again when Letta names it).
    /// A cancelled turn stops its run unless it was detached (a resumable run outlives its client);
    /// a run the gateway lost (silence, broken stream) is stopped unless it is resumable, where it is
    /// the client's to resume (docs/PROTOCOL.md, "Resuming").
    /// </summary>
    public void StopRunIfAbandoned(RunStop why)
    {
        if (Info.RunId is not { } runId || _canceller is null)
        {
            return;
        }

        // Under the turn's lock: a cancel or detach marks the turn and its kind together.
        lock (_sync)
        {
            bool stop = why switch
            {
                RunStop.Cancelled => Info.IsCancelled && !IsDetached,
                _ => !Info.Resumable,
            };
            if (stop && Interlocked.Exchange(ref _cancelCallStarted, 1) == 0)
            {
                CancelCall = _canceller.CancelAsync(Info.AgentId, runId);
            }
        }
    }

    /// <summary>
    /// Releases the turn's token sources. Cancelling a token runs its callbacks on the cancelling
    /// thread, and the pump's continuation is one of them: a pump that was only waiting (for its
    /// predecessor, for room in the queue) can run to its end and dispose the turn from inside
    /// <see cref="Cancel"/>. Disposal is then deferred until that cancel has finished with the sources.
    /// </summary>
    public void Dispose()
    {
        lock (_sync)
        {
            if (_inCallbacks > 0)
            {
                _disposeRequested = true;
                return;
            }

            DisposeCore();
        }
    }

    private void LeaveCallbacks()
    {
        if (--_inCallbacks == 0 && _disposeRequested)
        {
            DisposeCore();
        }
    }

    private void DisposeCore()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        _output.Dispose();
        _upstream.Dispose();
    }
}
