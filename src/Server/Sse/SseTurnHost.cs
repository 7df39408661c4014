using LettaSockets.Server.Connections;
using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using LettaSockets.Protocol.Chunks;
using LettaSockets.Protocol.Frames;
using LettaSockets.Server.Sockets;
using LettaSockets.Server.Turns;
using LettaSockets.Server.Upstream;

namespace LettaSockets.Server.Sse;

/// <summary>
/// The <see cref="ITurnHost"/> of one <c>POST /stream</c> request: the same turn, pump and pacer
/// as a WebSocket turn, with its own bounded queue and a one-turn registry. The response is the
/// queue read until the turn's terminal frame. A request that goes away cancels the run in Letta.
/// </summary>
internal sealed class SseTurnHost : ITurnHost, IDrainableConnection, IDisposable
{
    private readonly Channel<StreamChunk> _output;
    private readonly CancellationTokenSource _aborted;
    private readonly TurnRegistry _turns = new(1);
    private readonly RunCanceller _canceller;
    private readonly TimeSpan _stopTimeout;
    private readonly TimeProvider _time;
    private Task _drain = Task.CompletedTask;
    private int _draining;

    public SseTurnHost(string connectionId, int queueCapacity, RunCanceller canceller, TimeSpan stopTimeout, TimeProvider time, CancellationToken requestAborted)
    {
        ConnectionId = connectionId;
        _time = time;
        _output = Channel.CreateBounded<StreamChunk>(new BoundedChannelOptions(queueCapacity)
        {
            SingleReader = true,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _aborted = CancellationTokenSource.CreateLinkedTokenSource(requestAborted);
        _canceller = canceller;
        _stopTimeout = stopTimeout;
    }

    public string ConnectionId { get; }

    public int ActiveTurns => _turns.ActiveCount;

    public ChannelWriter<StreamChunk> Output => _output.Writer;

    public CancellationToken Aborted => _aborted.Token;

    /// <summary>SSE events written to the response.</summary>
    public long FramesSent { get; private set; }

    public bool TryFinish(Turn turn) => _turns.TryFinish(turn);

    public void OnPumpStopped(Turn turn) => _turns.OnPumpStopped(turn);

    /// <summary>Admits the request's one turn and starts its pump (awaited by <see cref="StopAsync"/>).</summary>
    public Turn Start(TurnPump pump, TurnInfo info, LettaTurnRequest request, TurnOptions options, TimeProvider time)
    {
        AdmitResult admitted = _turns.TryAdmit(info.Id, info.AgentId, _ => new Turn(info, request, options, time, _canceller, _aborted.Token));
        Turn turn = admitted.Turn ?? throw new InvalidOperationException("A stream request runs exactly one turn.");
        _ = pump.StartAsync(turn, this);
        return turn;
    }

    /// <summary>The turn's frames, up to and including its terminal frame.</summary>
    public async IAsyncEnumerable<SseItem<StreamChunk>> ReadFramesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ChannelReader<StreamChunk> reader = _output.Reader;
        while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (reader.TryRead(out StreamChunk chunk))
            {
                if (chunk.Turn is { IsCancelled: true } && chunk.Kind.IsContent())
                {
                    continue;
                }

                yield return new SseItem<StreamChunk>(chunk); // no event type: a plain "data:" event, as the seed's clients expect
                FramesSent++;
                if (chunk.Turn is { } turn)
                {
                    turn.Frames++;
                }

                if (chunk.Kind is ChunkKind.Done or ChunkKind.Error)
                {
                    yield break;
                }
            }
        }
    }

    /// <summary>Graceful shutdown: the turn may finish for <paramref name="drainTimeout"/>; then it ends
    /// with <c>done</c> (<c>cancelled_by: shutdown</c>) and its run is cancelled in Letta.</summary>
    public void BeginShutdown(TimeSpan drainTimeout)
    {
        if (Interlocked.Exchange(ref _draining, 1) == 0)
        {
            _drain = DrainAsync(drainTimeout);
        }
    }

    private async Task DrainAsync(TimeSpan drainTimeout)
    {
        try
        {
            await Task.Delay(drainTimeout, _time, _aborted.Token).ConfigureAwait(false);
            foreach (Turn turn in _turns.FinishAll())
            {
                turn.Cancel(CancelledBy.Shutdown);
                var done = new DoneInfo(StopReasons.Cancelled, CancelledBy.Shutdown, null, System.Diagnostics.Stopwatch.GetTimestamp());
                await _output.Writer.WriteAsync(StreamChunk.Done(turn.Info, done), _aborted.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
        {
            // The request ended first.
        }
    }

    /// <summary>
    /// Ends the request's turn: if it has not sent its terminal frame, the client went away, so it is
    /// cancelled (and its run cancelled in Letta). Waits, bounded, for the pump to stop.
    /// </summary>
    public async Task StopAsync()
    {
        foreach (Turn turn in _turns.FinishAll())
        {
            turn.Cancel(CancelledBy.Disconnect);
        }

        _output.Writer.TryComplete();
        _aborted.Cancel();
        try
        {
            await Task.WhenAll([.. _turns.RunningPumps(), _drain]).WaitAsync(_stopTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
    }

    public void Dispose() => _aborted.Dispose();
}
