namespace LettaSockets.Bench.Report;

/// <summary>
/// Everything the bench measured, as written to <c>bench/results/latest.json</c>. A scenario run on its
/// own replaces only its section, so the doc always shows the newest figure of each.
/// </summary>
internal sealed class BenchResults
{
    public MachineInfo? Machine { get; set; }

    /// <summary>The command line of the run that wrote this file, and any runtime settings it passed to
    /// the gateway for an experiment (<c>BENCH_GATEWAY_ENV</c>); empty for the shipped settings.</summary>
    public string[]? Arguments { get; set; }

    public string? GatewayEnvironment { get; set; }

    public ThroughputSection? Throughput { get; set; }

    public LatencySection? Latency { get; set; }

    public DensitySection? Density { get; set; }

    public CancelSection? Cancel { get; set; }

    public MemorySection? Memory { get; set; }

    public MicroSection? Micro { get; set; }

    public AppServerSection? AppServer { get; set; }

    public ColdSection? Cold { get; set; }

    public ScopeSection? Scope { get; set; }

    public TurnStartCpuSection? TurnStartCpu { get; set; }
}

internal sealed record MachineInfo(int Cores, string CpuModel, double MemoryGiB, string DotnetVersion, string Os, string Kernel, long MaxOpenFiles);

internal sealed class ThroughputSection
{
    public DateTimeOffset MeasuredAt { get; set; }

    public int Turns { get; set; }

    public int ChunksPerTurn { get; set; }

    public int TurnsPerConnection { get; set; }

    public List<ThroughputRun> Gateway { get; set; } = [];

    public List<ThroughputRun> Direct { get; set; } = [];
}

internal sealed record ThroughputRun(
    double DeltasPerFrame,
    long Chunks,
    long ExpectedChunks,
    double Seconds,
    double ChunksPerSecond,
    double GatewayCpuSeconds,
    double GatewayCpuSecondsPerMillion,
    double GatewayCores,
    double SimulatorCores,
    double BenchCores,
    double OtherCores,
    int Errors);

internal sealed class LatencySection
{
    public DateTimeOffset MeasuredAt { get; set; }

    public double ChunksPerSecondPerTurn { get; set; }

    public double WarmupSeconds { get; set; }

    public double MeasuredSeconds { get; set; }

    public List<LatencyLevel> Levels { get; set; } = [];
}

internal sealed class LatencyLevel
{
    public int Turns { get; set; }

    public List<LatencyRun> Gateway { get; set; } = [];

    public List<LatencyRun> Direct { get; set; } = [];

    /// <summary>Through the bare relay: the least a .NET SSE-to-WebSocket relay costs on this machine.</summary>
    public List<LatencyRun> BareRelay { get; set; } = [];
}

internal sealed record LatencyRun(
    double DeltasPerFrame,
    int Samples,
    double P50Ms,
    double P99Ms,
    double P999Ms,
    double MaxMs,
    long Chunks,
    long ExpectedChunks,
    double GatewayCores,
    double SimulatorCores,
    double BenchCores,
    double OtherCores,
    int Errors);

internal sealed class DensitySection
{
    public DateTimeOffset MeasuredAt { get; set; }

    public int Connections { get; set; }

    public List<DensityRun> Runs { get; set; } = [];

    /// <summary>The gateway holding <see cref="SmallConnections"/> (1,000), on a fresh process of its own: idle
    /// CPU per connection must stay flat from there to <see cref="Connections"/>.</summary>
    public int SmallConnections { get; set; }

    public List<DensityRun> Small { get; set; } = [];

    /// <summary>The same measurement on a bare Kestrel WebSocket server: the floor.</summary>
    public List<DensityRun> Bare { get; set; } = [];

    /// <summary>The bare server with the owner's connection shape (<c>bare-server --loops</c>): the floor of the design.</summary>
    public List<DensityRun> Loops { get; set; } = [];

    public CapacityProbe? Capacity { get; set; }
}

internal sealed record DensityRun(
    int Held,
    int Failed,
    double ConnectSeconds,
    long RssBeforeBytes,
    long RssAfterBytes,
    double RssPerConnectionKiB,
    double IdleSeconds,
    double IdleCpuPercent,
    double IdleBenchCpuPercent,
    int GatewayOpenFiles,
    int StillOpenAfterIdle,
    double? ManagedHeapPerConnectionKiB = null);

internal sealed record CapacityProbe(
    int Target,
    int Held,
    int Failed,
    long GatewayMaxOpenFiles,
    int GatewayOpenFilesBefore,
    int GatewayOpenFilesPeak,
    string? FirstError,
    bool GatewayServedAfter);

/// <summary>Memory per unit (issue 20): idle sockets with and without compression, paced turns, slow readers.</summary>
internal sealed class MemorySection
{
    public DateTimeOffset MeasuredAt { get; set; }

    /// <summary>Characters per delta of the paced and slow-reader turns.</summary>
    public int DeltaChars { get; set; }

    public double PacedCharsPerSecond { get; set; }

    /// <summary>The gateway's <c>Sockets:MaxPacedBytes</c> and <c>Sockets:MaxQueuedBytes</c> (its defaults).</summary>
    public long MaxPacedBytes { get; set; }

    public long MaxQueuedBytes { get; set; }

    /// <summary>One entry per kind and run.</summary>
    public List<MemoryRun> Runs { get; set; } = [];
}

/// <summary>
/// One kind of unit on a fresh gateway: RSS at the baseline, with <see cref="SmallCount"/> and
/// <see cref="LargeCount"/> units (cold), after closing them, and with <see cref="LargeCount"/> again
/// (warm). Per-unit figures in KiB; <see cref="SlopeKiB"/> is between the two counts. <see cref="LiveKiB"/>:
/// growth of the live managed heap (after a forced full collection) from the baseline to the large N, per unit.
/// </summary>
internal sealed record MemoryRun(
    string Kind,
    string Description,
    int SmallCount,
    int LargeCount,
    long BaselineRssBytes,
    long SmallRssBytes,
    long LargeRssBytes,
    double ColdSmallKiB,
    double ColdLargeKiB,
    double SlopeKiB,
    long AfterCloseRssBytes,
    long WarmBaselineRssBytes,
    long WarmRssBytes,
    double WarmKiB,
    double KernelTcpKiB,
    int Active,
    int Failed,
    string? FirstError,
    string? Extensions,
    double SettleSecondsMax,
    int DeltaChars = 0,
    int Deltas = 0,
    double LiveKiB = 0);

internal sealed class CancelSection
{
    public DateTimeOffset MeasuredAt { get; set; }

    public int Turns { get; set; }

    public List<CancelRun> Runs { get; set; } = [];
}

internal sealed record CancelRun(
    int Cancelled,
    int Errors,
    double DoneP50Ms,
    double DoneP99Ms,
    double DoneMaxMs,
    int UpstreamCalls,
    double UpstreamP50Ms,
    double UpstreamP99Ms,
    double UpstreamMaxMs,
    int ContentFramesAfterCancelMax)
{
    /// <summary>Ping → <c>pong</c> on the same connections in the same rounds (session 12 on): the floor of
    /// cancel → <c>done</c>, the same reader, queue and writer without the cancel.</summary>
    public int? Pongs { get; init; }

    public double? PongP50Ms { get; init; }

    public double? PongP99Ms { get; init; }
}

internal sealed class MicroSection
{
    public DateTimeOffset MeasuredAt { get; set; }

    public List<MicroResult> Benchmarks { get; set; } = [];
}

internal sealed record MicroResult(string Name, string Description, double MeanNs, double AllocatedBytes, int OperationsPerChunk);

/// <summary>The Letta Code App Server upstream: the same turns read directly and through the gateway.</summary>
internal sealed class AppServerSection
{
    public DateTimeOffset MeasuredAt { get; set; }

    public int TurnsPerRun { get; set; }

    public int DeltasPerTurn { get; set; }

    public double DeltasPerSecond { get; set; }

    public List<AppServerRun> Runs { get; set; } = [];

    /// <summary>Per run, a fresh gateway's first turn (100 deltas).</summary>
    public List<AppServerColdRun> Cold { get; set; } = [];
}

/// <summary>A fresh gateway in front of the App Server: start → <c>/readyz</c>, its first turn's per-delta latency and CPU; a direct turn's p99 right after.</summary>
internal sealed record AppServerColdRun(double ReadySeconds, double DirectP99Ms, double GatewayP50Ms, double GatewayP99Ms, double GatewayMaxMs, double GatewayCpuMsPer1000);

/// <summary>One run: model → client latency per delta, direct and through the gateway; the gateway's CPU.</summary>
internal sealed record AppServerRun(int DirectSamples, int GatewaySamples, double DirectP50Ms, double DirectP99Ms, double GatewayP50Ms, double GatewayP99Ms, double GatewayCpuMsPer1000);

/// <summary>A freshly started gateway against the same process warmed up (issue 16).</summary>
internal sealed class ColdSection
{
    public DateTimeOffset MeasuredAt { get; set; }

    public double WindowSeconds { get; set; }

    /// <summary>Throughput per build (<c>native</c>, <c>jit</c>), with the turn-start overhead.</summary>
    public List<ColdRun> Runs { get; set; } = [];

    public List<ColdLatencyRun> Latency { get; set; } = [];

    public List<ColdCancelRun> Cancel { get; set; } = [];
}

/// <summary>One fresh process: start to <c>/readyz</c>, its first turn, its first window and a window after
/// warming up, and the turn-start overhead warmed.</summary>
internal sealed record ColdRun(double ReadySeconds, double ColdChunksPerSecond, double ColdCpuSecondsPerMillion, double WarmChunksPerSecond, double WarmCpuSecondsPerMillion, int Errors)
{
    /// <summary><c>native</c> (the published executable) or <c>jit</c>; runs stored before there were two builds are <c>jit</c>.</summary>
    public string? Build { get; init; }

    public TurnStartRun? FirstTurn { get; init; }

    public TurnStartRun? WarmTurnStart { get; init; }
}

/// <summary>Turn-start overhead (ms): message frame → Letta received the request; Letta's first content
/// event → the client's first chunk; and the same legs read directly (the floor).</summary>
internal sealed record TurnStartRun(int Turns, double RequestP50Ms, double RequestP99Ms, double FirstChunkP50Ms, double FirstChunkP99Ms, double DirectRequestP50Ms, double DirectRequestP99Ms, double DirectFirstChunkP50Ms, double DirectFirstChunkP99Ms);

/// <summary>Per-delta latency p99 at 256 turns × 20/s on a fresh process's first window and warmed; the direct floor;
/// and (session 10 on) the same two windows through a fresh bare relay published natively like the gateway.</summary>
internal sealed record ColdLatencyRun(string Build, int Turns, double ColdP99Ms, double WarmP99Ms, double DirectP99Ms, int Errors)
{
    /// <summary>A fresh native bare relay's first window (p99, ms), on the same simulator after the gateway's windows.</summary>
    public double? RelayColdP99Ms { get; init; }

    /// <summary>The same relay warmed the way the gateway was (30 s of the throughput load).</summary>
    public double? RelayWarmP99Ms { get; init; }

    /// <summary>The direct floor read right after the relay's windows.</summary>
    public double? RelayDirectP99Ms { get; init; }

    /// <summary>The warm turn-start probe (turns one after another) through the same relay after its
    /// windows, with its direct legs (session 12 on): the floor of <see cref="ColdRun.WarmTurnStart"/>.</summary>
    public TurnStartRun? RelayWarmTurnStart { get; init; }
}

/// <summary>Cancel → <c>done</c> p99 over a fresh process's first window (rounds of 100 cancels, pooled) and warmed.</summary>
internal sealed record ColdCancelRun(string Build, int ColdCancels, double ColdDoneP99Ms, int WarmCancels, double WarmDoneP99Ms, int Errors)
{
    /// <summary>Ping → <c>pong</c> p99 on the same connections in the same rounds (session 12 on): the floor.</summary>
    public double? ColdPongP99Ms { get; init; }

    public double? WarmPongP99Ms { get; init; }
}

/// <summary>What checking a named conversation or resumed run against the turn's agent costs (one look-up, then cached).</summary>
internal sealed class ScopeSection
{
    public DateTimeOffset MeasuredAt { get; set; }

    public int Turns { get; set; }

    public List<ScopeRun> Runs { get; set; } = [];
}

/// <summary>Request leg p50/p99 (frame → Letta's messages request) without a conversation, with a cached one and a new one;
/// resume → first replayed chunk, a run's first resume and again.</summary>
internal sealed record ScopeRun(
    double PlainP50Ms, double PlainP99Ms, double CachedP50Ms, double CachedP99Ms, double LookupP50Ms, double LookupP99Ms,
    double FirstResumeP50Ms, double FirstResumeP99Ms, double AgainResumeP50Ms, double AgainResumeP99Ms, int Resumes);

/// <summary>CPU per short turn, the gateway against the native bare relay (<c>turnstart</c>).</summary>
internal sealed class TurnStartCpuSection
{
    public DateTimeOffset MeasuredAt { get; set; }

    public int Connections { get; set; }

    public double WindowSeconds { get; set; }

    public string Content { get; set; } = "";

    public List<TurnStartCpuRun> Runs { get; set; } = [];
}

internal sealed record TurnStartCpuRun(TurnStartCpu Gateway, TurnStartCpu BareRelay);

/// <summary>One server's figures over the measured window, per finished turn (µs of CPU, voluntary context switches).</summary>
internal sealed record TurnStartCpu(long Turns, long Errors, double TurnsPerSecond, double UserMicros, double SystemMicros, double SwitchesPerTurn, double SimulatorMicros);
