using System.Collections.Concurrent;
using LettaSockets.Server.Observability;

namespace LettaSockets.Server.Turns;

/// <summary>
/// Every byte this instance buffers for clients — all outbound queues and paced turns together — against
/// one cap (<c>Limits:MaxBufferedBytes</c>). Above it, new turns are refused (<c>too_many_turns</c> with
/// <c>retry_after_ms</c>) and the connection holding the most is closed as a slow consumer, then the
/// next if still over (at most one every <see cref="ShedInterval"/>), until the instance is under its cap.
/// </summary>
public sealed class InstanceBuffers(long maxBytes, LettaSocketsMetrics? metrics = null, TimeProvider? time = null)
{
    private Action<long>? _adder;

    /// <summary>How long a refused client should wait before trying again.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);

    /// <summary>The least time between two connections closed for the instance's sake.</summary>
    public static readonly TimeSpan ShedInterval = TimeSpan.FromMilliseconds(250);

    private readonly ConcurrentDictionary<IBufferHolder, byte> _holders = new();
    private readonly TimeProvider _time = time ?? TimeProvider.System;
    private long _bytes;
    private long _lastShed = long.MinValue;

    public long MaxBytes => maxBytes;

    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>True while the instance holds more than its cap: no new turns.</summary>
    public bool IsOver => Bytes > maxBytes;

    public void Register(IBufferHolder holder) => _holders.TryAdd(holder, 0);

    public void Unregister(IBufferHolder holder) => _holders.TryRemove(holder, out _);

    /// <summary><see cref="Add"/> as one delegate for every connection's queue (a method group would make one per connection).</summary>
    public Action<long> Adder => _adder ??= Add;

    public void Add(long delta)
    {
        long now = Interlocked.Add(ref _bytes, delta);
        metrics?.BufferedBytes(delta);
        if (delta > 0 && now > maxBytes)
        {
            ShedSlowest();
        }
    }

    private void ShedSlowest()
    {
        long started = _time.GetTimestamp();
        long last = Interlocked.Read(ref _lastShed);
        if (last != long.MinValue && _time.GetElapsedTime(last, started) < ShedInterval)
        {
            return;
        }

        if (Interlocked.CompareExchange(ref _lastShed, started, last) != last)
        {
            return; // another producer is shedding right now
        }

        IBufferHolder? slowest = null;
        long most = 0;
        foreach (IBufferHolder holder in _holders.Keys)
        {
            long queued = holder.QueuedBytes;
            if (queued > most)
            {
                (slowest, most) = (holder, queued);
            }
        }

        if (slowest is not null)
        {
            _holders.TryRemove(slowest, out _);
            slowest.Shed();
        }
    }
}
