using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;
using System.Threading.Channels;
using LettaSockets.Protocol.Chunks;
using LettaSockets.Protocol.Frames;
using LettaSockets.Server.Connections;
using LettaSockets.Server.Turns;
using LettaSockets.Server.Upstream;

namespace LettaSockets.Server.Sse;

/// <summary>
/// One <c>POST /stream</c> request: a <see cref="TurnHost"/> with exactly one turn (the same turn, pump
/// and pacer as a WebSocket turn), read until its terminal frame. A request that goes away cancels the
/// run in Letta; a shutdown lets the turn finish for the drain timeout, then ends it.
/// </summary>
internal sealed class SseTurnHost : IDrainableConnection, IDisposable
{
    private readonly TurnHost _turns;
    private readonly RunCanceller _canceller;
    private readonly TimeSpan _stopTimeout;
    private readonly TimeProvider _time;
    private Task _drain = Task.CompletedTask;
    private int _draining;

    public SseTurnHost(string connectionId, int queueCapacity, long maxQueuedBytes, RunCanceller canceller, TimeSpan stopTimeout, TimeProvider time, CancellationToken requestAborted, Action<long>? onBufferedChange = null)
    {
        ConnectionId = connectionId;
        _time = time;
        _turns = new TurnHost(maxActiveTurns: 1, queueCapacity, maxQueuedBytes, requestAborted, onBufferedChange);
        _canceller = canceller;
        _stopTimeout = stopTimeout;
    }

    public string ConnectionId { get; }

    public int ActiveTurns => _turns.ActiveTurns;

    /// <summary>SSE events written to the response.</summary>
    public long FramesSent { get; private set; }

    /// <summary>Admits the request's one turn and starts its pump (awaited by <see cref="StopAsync"/>).</summary>
    public Turn Start(TurnPump pump, TurnState info, LettaTurnRequest request, TurnOptions options)
    {
        AdmitResult admitted = _turns.Admit(info.Id, info.AgentId, _ => new Turn(info, request, options, _time, _canceller, _turns.Aborted));
        Turn turn = admitted.Turn ?? throw new InvalidOperationException("A stream request runs exactly one turn.");
        _ = pump.StartAsync(turn, _turns);
        return turn;
    }

    /// <summary>The turn's frames, up to and including its terminal frame.</summary>
    public async IAsyncEnumerable<SseItem<StreamChunk>> ReadFramesAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ChannelReader<StreamChunk> reader = _turns.Frames;
        while (await reader.WaitToReadAsync(cancellationToken).ConfigureAwait(false))
        {
            while (reader.TryRead(out StreamChunk chunk))
            {
                if (TurnHost.IsStale(chunk))
                {
                    _turns.Settle();
                    continue;
                }

                // No event type: a plain "data:" event, as the seed's clients expect.
                yield return new SseItem<StreamChunk>(TurnState.WithMetrics(chunk));
                _turns.Settle(); // asked for the next item: this one is written
                FramesSent++;
                if (TurnState.Of(chunk) is { } turn)
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

    /// <summary>
    /// Ends the request's turn: if it has not sent its terminal frame, the client went away, so it is
    /// cancelled (and its run cancelled in Letta). Waits, bounded, for the pump to stop.
    /// </summary>
    public async Task StopAsync()
    {
        _turns.EndAll(CancelledBy.Disconnect); // never resumable: cancelled
        _turns.Complete();
        _turns.Abort();
        try
        {
            await Task.WhenAll(_turns.WaitForPumpsAsync(_stopTimeout), _drain).WaitAsync(_stopTimeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
    }

    public void Dispose() => _turns.Dispose();

    private async Task DrainAsync(TimeSpan drainTimeout)
    {
        try
        {
            await _turns.DrainAsync(drainTimeout, _time, _turns.Aborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
        {
            // The request ended first.
        }
    }
}
