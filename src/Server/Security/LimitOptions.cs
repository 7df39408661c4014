namespace LettaSockets.Server.Security;

/// <summary>How much one client and all of them together may take (configuration section <c>Limits</c>).</summary>
public sealed class LimitOptions
{
    public const string Section = "Limits";

    /// <summary>WebSocket connections this instance holds at once; more get 503 before the upgrade.</summary>
    public int MaxConnections { get; set; } = 10_000;

    /// <summary>WebSocket connections one client IP may hold at once (behind a proxy, configure forwarded headers so this is the client's).</summary>
    public int MaxConnectionsPerIp { get; set; } = 100;

    /// <summary>The <c>Retry-After</c> sent with a 503 for too many connections.</summary>
    public TimeSpan ConnectionRetryAfter { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>Turn-starting frames (<c>message</c>, <c>approve</c>, <c>resume</c>) one connection may send per minute, sustained.</summary>
    public int MessagesPerMinute { get; set; } = 60;

    /// <summary>How many of those may come at once before the rate applies (token bucket size).</summary>
    public int MessageBurst { get; set; } = 10;

    /// <summary>Bytes this instance buffers for all clients together (queues and paced turns) before it
    /// refuses new turns; null = a quarter of the memory the runtime may use (the container's limit).</summary>
    public long? MaxBufferedBytes { get; set; }

    /// <summary>The cap in force.</summary>
    public long ResolvedMaxBufferedBytes => MaxBufferedBytes ?? Math.Max(64L * 1024 * 1024, GC.GetGCMemoryInfo().TotalAvailableMemoryBytes / 4);
}
