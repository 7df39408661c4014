using System.Runtime.CompilerServices;
using System.Threading.Channels;
using LettaSockets.Server.Upstream;

namespace LettaSockets.Server.AppServer;

/// <summary>
/// A gateway turn's view of an App Server turn: its events until the turn ends or parks for an
/// approval, a <c>working</c> heartbeat while the runtime is quiet, and an idle timeout that counts
/// the runtime's silence only (any frame of the runtime resets it; time the pump spends blocked on
/// its client does not, since frames keep arriving meanwhile). Disposing it before the end aborts the
/// App Server turn: a client that leaves mid-turn stops it upstream.
/// </summary>
internal sealed class AppServerStream(AppServerTurn turn, AppServerUpstream upstream, TimeSpan idleTimeout, TimeSpan heartbeat, TimeProvider time) : IUpstreamStream
{
    private bool _reachedEnd;

    public async IAsyncEnumerable<LettaEvent> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        ChannelReader<LettaEvent> reader = turn.Events;
        long lastYield = time.GetTimestamp();
        CancellationTokenSource timer = new(Timeout.InfiniteTimeSpan, time);
        CancellationTokenSource wake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
        try
        {
            while (true)
            {
                while (reader.TryRead(out LettaEvent e))
                {
                    yield return e;
                    lastYield = time.GetTimestamp();
                    if (e.Kind == LettaEventKind.Done)
                    {
                        _reachedEnd = true;
                        yield break;
                    }
                }

                TimeSpan silent = time.GetElapsedTime(turn.LastFrameAt);
                if (silent >= idleTimeout && turn.State == AppServerTurnState.Active)
                {
                    throw UpstreamErrors.Timeout($"The App Server sent nothing for this turn for {idleTimeout.TotalSeconds:0.#} s.");
                }

                TimeSpan quiet = time.GetElapsedTime(lastYield);
                if (quiet >= heartbeat)
                {
                    lastYield = time.GetTimestamp();
                    yield return new LettaEvent(LettaEventKind.Ping); // → status working
                    continue;
                }

                TimeSpan wait = Min(idleTimeout - silent, heartbeat - quiet);
                timer.CancelAfter(wait);
                bool more;
                try
                {
                    more = await reader.WaitToReadAsync(wake.Token).ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    // The heartbeat or idle timer fired: check both again with fresh timers.
                    timer.Dispose();
                    wake.Dispose();
                    timer = new CancellationTokenSource(Timeout.InfiniteTimeSpan, time);
                    wake = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, timer.Token);
                    continue;
                }
                catch (ChannelClosedException e) when (e.InnerException is UpstreamException inner)
                {
                    throw inner;
                }

                if (!more)
                {
                    _reachedEnd = true;
                    yield break; // ended after its Done was read by an earlier stream; nothing more
                }
            }
        }
        finally
        {
            wake.Dispose();
            timer.Dispose();
        }
    }

    public ValueTask DisposeAsync()
    {
        if (!_reachedEnd && turn.State == AppServerTurnState.Active)
        {
            upstream.Abandon(turn);
        }

        return ValueTask.CompletedTask;
    }

    private static TimeSpan Min(TimeSpan a, TimeSpan b) => a < b ? a : b;
}
