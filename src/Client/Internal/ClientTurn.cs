using System.Runtime.CompilerServices;
using System.Threading.Channels;

namespace LettaSockets.Client.Internal;

/// <summary>
/// One request on the client's side: its frames on their way to the enumerator, and what resuming
/// it needs (docs/PROTOCOL.md, "Resuming": the run id and the highest <c>seq</c> received). The socket's
/// receive loop calls <see cref="Receive"/>, <see cref="Lost"/> and <see cref="BeginResume"/>; the
/// enumerator calls <see cref="NextAsync"/>; a cancel may come from either side.
/// </summary>
internal sealed class ClientTurn : IDisposable
{
    /// <summary>Written by the cancellation token's callback to wake the enumerator; never yielded.</summary>
    private static readonly TurnFrame s_cancelSignal = new OtherTurnFrame { WireType = "cancel" };

    private readonly Lock _gate = new();
    private readonly Channel<TurnFrame> _frames = Channel.CreateUnbounded<TurnFrame>(new UnboundedChannelOptions { SingleReader = true });
    private CancellationTokenSource? _cancelBound;
    private bool _sawThinking;
    private bool _sawRunning;

    public ClientTurn(TurnRequest request, string id, string? agentId)
    {
        Request = request;
        Id = id;
        AgentId = agentId;
        ConversationId = request.Conversation;
        Resumable = request.AsksResumable;
        if (request is ResumeRequest resume)
        {
            RunId = resume.RunId;
            LastSeq = resume.AfterSeq;
            ResumedAfter = resume.AfterSeq;
            Accepted = true; // the caller names a turn the server had
        }
    }

    public TurnRequest Request { get; }

    public string Id { get; }

    public string? AgentId { get; private set; }

    public string? ConversationId { get; }

    public string? RunId { get; private set; }

    /// <summary>The highest <c>seq</c> received.</summary>
    public long? LastSeq { get; private set; }

    /// <summary>The <c>after_seq</c> of the last resume: content at or below it is not delivered twice.</summary>
    public long? ResumedAfter { get; private set; }

    public bool Resumable { get; private set; }

    /// <summary>The server answered something for this id: it has the request.</summary>
    public bool Accepted { get; private set; }

    public bool CancelRequested { get; private set; }

    public TurnPhase Phase { get; private set; }

    public bool IsActive => Phase != TurnPhase.Ended;

    /// <summary>A resume can bring it back: the run outlives the socket and the client can name it (by run id, or — once the
    /// server has the request — by the turn's own id, which finds the run its message started).</summary>
    private bool CanResume => Resumable && (RunId is not null || Accepted);

    /// <summary>One frame with this turn's id, on the receive loop. True when it ended the turn.</summary>
    public bool Receive(TurnFrame frame)
    {
        lock (_gate)
        {
            if (Phase == TurnPhase.Ended)
            {
                return true;
            }

            Accepted = true;
            RunId = frame.RunId ?? RunId;
            AgentId ??= frame.AgentId;
            if (frame.Seq is long seq)
            {
                Resumable = true;
                // after_seq means nothing at or below it is sent again; should a server repeat, deliver it once.
                if (ResumedAfter is long after && seq <= after && IsContent(frame))
                {
                    return false;
                }

                LastSeq = LastSeq is long last ? Math.Max(last, seq) : seq;
            }

            if (frame is StatusFrame { Status: "thinking" or "running" } status)
            {
                // A re-attach starts over with thinking and running; the enumerator has seen them.
                ref bool seen = ref status.Status == "thinking" ? ref _sawThinking : ref _sawRunning;
                if (seen)
                {
                    return false;
                }

                seen = true;
                if (Phase == TurnPhase.Resuming && status.Status == "thinking")
                {
                    _frames.Writer.TryWrite(frame);
                    return false;
                }
            }

            if (frame.IsTerminal)
            {
                EndLocked(frame);
                return true;
            }

            if (Phase is TurnPhase.Pending or TurnPhase.Resuming)
            {
                Phase = TurnPhase.Streaming;
            }

            _frames.Writer.TryWrite(frame);
            return false;
        }
    }

    /// <summary>The socket went away. True when the turn waits to be resumed; false when it has ended.</summary>
    public bool Lost()
    {
        lock (_gate)
        {
            if (Phase == TurnPhase.Ended)
            {
                return false;
            }

            if (CanResume)
            {
                Phase = TurnPhase.Interrupted;
                return true;
            }

            EndLocked(CancelRequested
                ? ClientDone()
                : ClientError(ClientErrorCodes.ConnectionLost, "The connection dropped and this turn cannot be resumed.", retryable: true));
            return false;
        }
    }

    /// <summary>The request could not be sent, or a resume waits for the next socket.</summary>
    public void Interrupt()
    {
        lock (_gate)
        {
            if (Phase != TurnPhase.Ended)
            {
                Phase = TurnPhase.Interrupted;
            }
        }
    }

    /// <summary>The server's <c>shutdown</c> frame named this turn.</summary>
    public void RememberCursor(TurnCursor cursor)
    {
        lock (_gate)
        {
            Resumable = true;
            RunId = cursor.RunId ?? RunId;
            // The cursor is the last seq the server sent; what this client received is the same number.
            LastSeq ??= cursor.AfterSeq;
        }
    }

    /// <summary>Marks the turn resuming and returns the cursor to resume from; null when it is not interrupted.</summary>
    public TurnCursor? BeginResume()
    {
        lock (_gate)
        {
            if (Phase != TurnPhase.Interrupted)
            {
                return null;
            }

            ResumedAfter = LastSeq ?? 0;
            Phase = TurnPhase.Resuming;
            return new TurnCursor(Id, RunId, ResumedAfter.Value) { AgentId = AgentId, ConversationId = ConversationId };
        }
    }

    /// <summary>True when a <c>cancel</c> should go out now (the first ask, and the turn is on a live socket).</summary>
    public bool RequestCancel()
    {
        lock (_gate)
        {
            if (Phase == TurnPhase.Ended || CancelRequested)
            {
                return false;
            }

            CancelRequested = true;
            return Phase != TurnPhase.Interrupted;
        }
    }

    /// <summary>Ends the turn with a frame of the client's own (closed, not connected, …).</summary>
    public void Fail(string code, string message, bool retryable)
    {
        lock (_gate)
        {
            EndLocked(ClientError(code, message, retryable));
        }
    }

    /// <summary>The enumerator's token was cancelled: wake it to send the cancel.</summary>
    public void SignalConsumerCancel() => _frames.Writer.TryWrite(s_cancelSignal);

    /// <summary>The next frame for the enumerator; null once the turn has ended and every frame was read.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    public async ValueTask<TurnFrame?> NextAsync(LettaSocketsClient client, TimeProvider time, TimeSpan cancelTimeout)
    {
        ChannelReader<TurnFrame> reader = _frames.Reader;
        while (true)
        {
            while (reader.TryRead(out TurnFrame? frame))
            {
                if (!ReferenceEquals(frame, s_cancelSignal))
                {
                    return frame;
                }

                if (_cancelBound is null)
                {
                    await client.CancelAsync(this).ConfigureAwait(false);
                    // The server answers a cancel at once; a socket that drops meanwhile must not leave the caller waiting.
                    _cancelBound = new CancellationTokenSource(cancelTimeout, time);
                }
            }

            if (_cancelBound is null)
            {
                if (!await reader.WaitToReadAsync().ConfigureAwait(false))
                {
                    return null;
                }

                continue;
            }

            try
            {
                if (!await reader.WaitToReadAsync(_cancelBound.Token).ConfigureAwait(false))
                {
                    return null;
                }
            }
            catch (OperationCanceledException)
            {
                lock (_gate)
                {
                    EndLocked(ClientDone());
                }
            }
        }
    }

    /// <summary>The enumerator is done with the turn.</summary>
    public void Dispose() => _cancelBound?.Dispose();

    private static bool IsContent(TurnFrame frame) =>
        frame is ChunkFrame or ReasoningFrame or ToolCallFrame or ToolResultFrame or ApprovalRequestFrame;

    private void EndLocked(TurnFrame terminal)
    {
        if (Phase == TurnPhase.Ended)
        {
            return;
        }

        Phase = TurnPhase.Ended;
        _frames.Writer.TryWrite(terminal);
        _frames.Writer.TryComplete();
    }

    private DoneFrame ClientDone() =>
        new() { Id = Id, AgentId = AgentId, RunId = RunId, StopReason = "cancelled", CancelledBy = "client", IsClientSide = true };

    private ErrorFrame ClientError(string code, string message, bool retryable) =>
        new() { Id = Id, AgentId = AgentId, RunId = RunId, Code = code, Message = message, Retryable = retryable, IsClientSide = true };
}
