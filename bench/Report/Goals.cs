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

    /// <summary>The tutorial's Python/FastAPI design, measured on this machine (from the issue).</summary>
    public static class Reference
    {
        public const double ChunksPerSecond = 18_700;
        public const double CpuSecondsPerMillion = 53;
        public const double P99At256Ms = 25.6;
        public const double RssPerConnectionKiB = 31.6;
    }
}
