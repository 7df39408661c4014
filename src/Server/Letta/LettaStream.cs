using System.Runtime.CompilerServices;
using LettaSockets.Server.Upstream;

namespace LettaSockets.Server.Letta;

/// <summary>
/// An open SSE response from Letta, read through a pooled <see cref="SseEventReader{T}"/>. Events are
/// parsed straight from the UTF-8 bytes; a silence
/// longer than the idle timeout (reset by every event, pings included) ends the read with
/// <c>upstream_timeout</c>, and a body that breaks off ends it with <c>upstream_unavailable</c>.
/// </summary>
public sealed class LettaStream : IUpstreamStream
{
    private readonly HttpResponseMessage _response;
    private readonly TimeProvider _time;
    private readonly TimeSpan _idleTimeout;

    internal LettaStream(HttpResponseMessage response, TimeProvider time, TimeSpan idleTimeout)
    {
        _response = response;
        _time = time;
        _idleTimeout = idleTimeout;
    }

    public async IAsyncEnumerable<LettaEvent> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var idle = new IdleWatch(_time, _idleTimeout);
        using var link = cancellationToken.UnsafeRegister(static s => ((IdleWatch)s!).Cancel(), idle);
        Stream body = await _response.Content.ReadAsStreamAsync(idle.Token).ConfigureAwait(false);
        using var events = new SseEventReader<LettaEvent>(new LettaEventParser().Parse);
        while (true)
        {
            while (events.TryRead(out LettaEvent e))
            {
                idle.Delivered();
                yield return e;
            }

            if (events.Ended)
            {
                yield break;
            }

            // The only awaits per read, in this iterator's own (reused) state: nothing is allocated while it waits.
            // With everything read parsed, it first waits with a zero-byte read, and if that has to wait, the
            // buffers go back to the pool meanwhile: a turn between two deltas holds no read buffer, so many turns
            // starting at once do not allocate (and the GC promote) a buffer each.
            int read;
            idle.Waiting();
            try
            {
                if (events.Drained)
                {
                    ValueTask<int> ready = body.ReadAsync(Memory<byte>.Empty, idle.Token);
                    if (!ready.IsCompleted)
                    {
                        events.ReleaseBuffers();
                    }

                    await ready.ConfigureAwait(false);
                }

                read = await body.ReadAsync(events.GetReadSpace(), idle.Token).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
            {
                throw UpstreamErrors.Timeout($"Letta sent nothing for {_idleTimeout.TotalSeconds:0.#} s.");
            }
            catch (Exception e) when (e is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
            {
                throw UpstreamErrors.BrokenStream(e.GetType().Name);
            }

            events.Advance(read);
        }
    }

    public ValueTask DisposeAsync()
    {
        _response.Dispose();
        return ValueTask.CompletedTask;
    }

    /// <summary>
    /// A token cancelled once Letta was silent for the timeout while the gateway was waiting for it.
    /// Time the reader spends elsewhere — blocked on a full outbound queue or pacer, i.e. backpressure
    /// from a slow or paced client — is not Letta's silence: the watch only runs between asking for the
    /// next event and getting it (docs/PROTOCOL.md, "Slow readers"). Each wait only records when it began;
    /// the timer fires once per timeout and re-arms for the rest of the quiet period. Re-arming a timer
    /// on every event (<c>CancelAfter</c>) takes the runtime's timer-queue lock, which many busy
    /// streams contend for: it was a third of the gateway's CPU at full throughput (docs/BENCHMARKS.md).
    /// </summary>
    private sealed class IdleWatch : IDisposable
    {
        private readonly CancellationTokenSource _cts = new();
        private readonly TimeProvider _time;
        private readonly TimeSpan _timeout;
        private readonly ITimer _timer;
        private readonly Lock _gate = new();
        private long _lastSeen;
        private int _delivered;
        private bool _disposed;

        public IdleWatch(TimeProvider time, TimeSpan timeout)
        {
            _time = time;
            _timeout = timeout;
            _lastSeen = time.GetTimestamp();
            _timer = time.CreateTimer(static s => ((IdleWatch)s!).OnTimer(), this, timeout, Timeout.InfiniteTimeSpan);
        }

        public CancellationToken Token => _cts.Token;

        /// <summary>The reader asks for the next event: Letta's silence counts from now.</summary>
        public void Waiting()
        {
            Volatile.Write(ref _lastSeen, _time.GetTimestamp());
            Volatile.Write(ref _delivered, 0);
        }

        /// <summary>An event was handed to the reader: until it asks again, nothing is Letta's silence.</summary>
        public void Delivered() => Volatile.Write(ref _delivered, 1);

        public void Cancel()
        {
            lock (_gate)
            {
                if (!_disposed)
                {
                    _cts.Cancel();
                }
            }
        }

        public void Dispose()
        {
            lock (_gate)
            {
                _disposed = true;
            }

            _timer.Dispose();
            _cts.Dispose();
        }

        private void OnTimer()
        {
            TimeSpan quiet = _time.GetElapsedTime(Volatile.Read(ref _lastSeen));
            lock (_gate)
            {
                if (_disposed)
                {
                    return;
                }

                if (Volatile.Read(ref _delivered) != 0)
                {
                    _timer.Change(_timeout, Timeout.InfiniteTimeSpan); // the reader is busy (backpressure), not waiting for Letta
                }
                else if (quiet >= _timeout)
                {
                    _cts.Cancel();
                }
                else
                {
                    _timer.Change(_timeout - quiet, Timeout.InfiniteTimeSpan);
                }
            }
        }
    }
}
