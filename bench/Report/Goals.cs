namespace LettaSockets.Bench.Report;

/// <summary>The targets of issue #7 and the reference design's figures on the same machine.</summary>
internal static class Goals
{
    public const double ThroughputShareOfFloor = 0.5;
    public const double GatewayCpuSecondsPerMillion = 2;
    public const double AddedP99At256Ms = 1.5;
    public const double AddedP99At1024Ms = 5;
    public const double RssPerConnectionKiB = 8;
    public const int HeldConnections = 20_000;
    public const double CancelToDoneP99Ms = 5;
    public const double CancelToLettaMs = 10;
    public const double AllocatedBytesPerChunk = 256;

    /// <summary>Issue 20, memory bounded in bytes: a paced turn and a slow reader hold about their cap
    /// (<c>Sockets:MaxPacedBytes</c> 256 KiB, <c>Sockets:MaxQueuedBytes</c> 1 MiB) plus overhead; the bench
    /// allows a quarter of the cap for that overhead. A compressed idle socket (no context takeover)
    /// costs about what a plain one does: at most this much more.</summary>
    public const double CapOverheadShare = 0.25;
    public const double CompressedIdleExtraKiB = 2;

    /// <summary>The tutorial's Python/FastAPI design, measured on this machine (from the issue).</summary>
    public static class Reference
    {
        public const double ChunksPerSecond = 18_700;
        public const double CpuSecondsPerMillion = 53;
        public const double P99At256Ms = 25.6;
        public const double RssPerConnectionKiB = 31.6;
    }
}
