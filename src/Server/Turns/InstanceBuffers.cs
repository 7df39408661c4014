using LettaSockets.Server.Observability;

namespace LettaSockets.Server.Turns;

/// <summary>
/// Every byte this instance buffers for clients — all outbound queues and paced turns together — against
/// one cap (<c>Limits:MaxBufferedBytes</c>). Above it, new turns are refused (<c>too_many_turns</c> with
/// <c>retry_after_ms</c>) until clients have read; the running ones carry on, bounded by their own caps.
/// </summary>
public sealed class InstanceBuffers(long maxBytes, LettaSocketsMetrics? metrics = null)
{
    /// <summary>How long a refused client should wait before trying again.</summary>
    public static readonly TimeSpan RetryAfter = TimeSpan.FromSeconds(1);

    private long _bytes;

    public long MaxBytes => maxBytes;

    public long Bytes => Interlocked.Read(ref _bytes);

    /// <summary>True while the instance holds more than its cap: no new turns.</summary>
    public bool IsOver => Bytes > maxBytes;

    public void Add(long delta)
    {
        Interlocked.Add(ref _bytes, delta);
        metrics?.BufferedBytes(delta);
    }
}
