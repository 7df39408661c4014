namespace LettaSockets.Server.Connections;

/// <summary>Per-connection limits and timings (configuration section <c>Sockets</c>).</summary>
public sealed class SocketOptions
{
    public const string Section = "Sockets";

    /// <summary>Largest client frame accepted; a larger one is drained without being buffered and answered with <c>frame_too_large</c>.</summary>
    public int MaxFrameBytes { get; set; } = 64 * 1024;

    /// <summary>Longest message <c>content</c>, in characters.</summary>
    public int MaxContentChars { get; set; } = 32_000;

    /// <summary>Turns one connection may run at once (each on a different agent).</summary>
    public int MaxActiveTurns { get; set; } = 4;

    /// <summary>Capacity of each connection's outbound queue, in frames. When it is full the pumps wait and Letta's stream is not read faster than the client reads.</summary>
    public int OutboundQueueCapacity { get; set; } = 256;

    /// <summary>Bytes one connection's outbound queue holds at most (its strings, two bytes a character):
    /// beyond that its turns stop reading Letta until the client takes frames. A client decides how big
    /// frames are, so a bound in frames alone bounds nothing.</summary>
    public long MaxQueuedBytes { get; set; } = 1024 * 1024;

    /// <summary>Bytes one paced turn holds ahead of its pace at most; beyond that it stops reading Letta.</summary>
    public long MaxPacedBytes { get; set; } = 256 * 1024;

    /// <summary>Deltas merged into one frame at most, when a backlog lets the writer merge.</summary>
    public int MaxMergedChunks { get; set; } = 64;

    /// <summary>A client that does not take a frame for this long is closed with 1008 <c>slow_consumer</c> and its runs cancelled.</summary>
    public TimeSpan StallTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How often a <c>follow</c> asks Letta for runs started elsewhere (one request per follow and interval).</summary>
    public TimeSpan FollowPollInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Follows one connection may hold at once.</summary>
    public int MaxFollows { get; set; } = 4;

    /// <summary>WebSocket ping interval; kept below common proxy idle timeouts (60 s).</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>A peer that does not answer a ping within this is considered dead.</summary>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How long a close handshake (or the last frames before it) may take before the socket is aborted.</summary>
    public TimeSpan CloseTimeout { get; set; } = TimeSpan.FromSeconds(5);

    /// <summary>On shutdown, how long active turns may run on before they are cancelled.</summary>
    public TimeSpan DrainTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>This instance's name in <c>ready.server.instance</c>; default: host name and process id.</summary>
    public string InstanceId { get; set; } = $"{Environment.MachineName}-{Environment.ProcessId}";

    /// <summary>Offer permessage-deflate to clients that ask for it. Off by default (CRIME/BREACH: compressing secrets next to attacker-controlled text leaks them).</summary>
    public bool Compression { get; set; }

    /// <summary>With compression on, keep the deflate state between messages (better ratio on busy
    /// sockets, but ~300 KiB held per socket, idle or not). Off: every message is compressed alone.</summary>
    public bool CompressionKeepsContext { get; set; }

    /// <summary>Output pacing for turns that do not ask for a <c>max_chars_per_second</c>; null = unpaced.</summary>
    public double? DefaultMaxCharsPerSecond { get; set; }

    /// <summary>Fastest pacing rate a turn may ask for (requests above are capped); null = no cap.</summary>
    public double? MaxCharsPerSecondLimit { get; set; }
}
