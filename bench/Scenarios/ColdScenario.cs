using System.Diagnostics;
using System.Globalization;
using System.Net;
using LettaSockets.Bench.Harness;
using LettaSockets.Bench.Load;
using LettaSockets.Bench.Report;

namespace LettaSockets.Bench.Scenarios;

/// <summary>
/// Cold start: what the first users of a freshly started gateway get, next to what the same process gives
/// once warmed. Every measurement starts a new simulator and gateway (without the JIT logging the other
/// scenarios use to watch tiering), reads the time from the gateway's process start to its first
/// <c>/readyz</c> 200 and warms the simulator (not the gateway) with 15 s of load read directly. Then, on
/// the fresh gateway:
/// <list type="bullet">
/// <item><em>throughput</em>, for the shipped native executable and for the JIT build: the first turn's
/// start overhead (<see cref="TurnStartProbe"/>), then the throughput load (16 connections, 2,000-delta
/// turns back to back) for the first <see cref="Window"/>; 30 s more of it; the same window again (warmed);
/// and the warm turn-start overhead over <see cref="WarmTurnStarts"/> turns;</item>
/// <item><em>latency</em> (native): with the simulator also warmed by this load read directly, 256 turns at
/// 20 deltas/s for the first window, every delta recorded;
/// warmed the same way, the same again; the direct floor at the same load; then the floor for a relay: a
/// fresh bare relay published natively the same way (<c>bench/BareRelay</c>), its first window, warmed the
/// same way, its window again, the direct floor once more, and the warm turn-start probe through the relay
/// (the floor of the throughput part's warm turn start);</item>
/// <item><em>cancel</em> (native): rounds of 100 cancelled turns for the first window, pooled; warmed, the same;
/// each with its ping → <c>pong</c> floor on the same connections.</item>
/// </list>
/// Before all of it, the load generator warms itself (<see cref="WarmLoadGeneratorAsync"/>): it is a JIT-compiled
/// process too, and in the first run its own WebSocket client, met for the first time in the gateway's first
/// window, made that window slow (experiment 44).
/// </summary>
internal static class ColdScenario
{
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(5);

    /// <summary>Windows of load between the cold and the warm measurement (without JIT logs the bench cannot
    /// watch tiering settle; 30 s of this load is where the warm figures stopped moving in the throughput
    /// scenario's warm-ups).</summary>
    private const int WarmWindows = 6;
    private const int Connections = ThroughputScenario.Turns;
    private const int ReceiveBuffer = 64 * 1024;
    private const int LatencyTurns = 256;
    /// <summary>Turns of the warm turn-start probe. Its p99 is the 10th-slowest of 1,000; over the 200 used until
    /// session 14 it was the 3rd-slowest, so any three turns that met a pause of the shared cores set it.</summary>
    private const int WarmTurnStarts = 1000;
    private static readonly string Content = $"bench n={ThroughputScenario.ChunksPerTurn} pace=0 size=16";
    private static readonly TimeSpan SimulatorWarmUp = TimeSpan.FromSeconds(15);

    /// <summary>Deltas per paced latency turn: enough to last the window.</summary>
    private static readonly int LatencyChunksPerTurn = (int)(LatencyScenario.Rate * Window.TotalSeconds);
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public static async Task<ColdSection> RunAsync(BenchOptions options)
    {
        var section = new ColdSection { MeasuredAt = DateTimeOffset.UtcNow, WindowSeconds = Window.TotalSeconds };
        await WarmLoadGeneratorAsync(options).ConfigureAwait(false);
        for (int run = 0; run < options.Runs; run++)
        {
            foreach (GatewayBuild build in options.ColdParts.Contains("throughput") ? new[] { GatewayBuild.Native, GatewayBuild.Jit } : [])
            {
                ColdRun result = await ThroughputAsync(options, build).ConfigureAwait(false);
                section.Runs.Add(result);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  cold {Name(build)} run {run + 1}: ready after {result.ReadySeconds * 1000:F0} ms; first turn +{result.FirstTurn!.RequestP50Ms:F2} ms to Letta, +{result.FirstTurn.FirstChunkP50Ms:F2} ms to the first chunk; first {Window.TotalSeconds:F0} s {result.ColdChunksPerSecond:N0} deltas/s at {result.ColdCpuSecondsPerMillion:F2} CPU-s/M; warmed {result.WarmChunksPerSecond:N0} deltas/s at {result.WarmCpuSecondsPerMillion:F2} CPU-s/M ({result.ColdChunksPerSecond / result.WarmChunksPerSecond:P0}); warm turn start p99 {result.WarmTurnStart!.RequestP99Ms:F2} / {result.WarmTurnStart.FirstChunkP99Ms:F2} ms (direct {result.WarmTurnStart.DirectRequestP99Ms:F2} / {result.WarmTurnStart.DirectFirstChunkP99Ms:F2}); errors {result.Errors}"));
            }

            if (options.ColdParts.Contains("latency"))
            {
                ColdLatencyRun latency = await LatencyAsync(options, options.Gateway, run).ConfigureAwait(false);
                section.Latency.Add(latency);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  cold latency {latency.Build} run {run + 1}: {LatencyTurns} turns p99 first {Window.TotalSeconds:F0} s {latency.ColdP99Ms:F2} ms, warmed {latency.WarmP99Ms:F2} ms, direct {latency.DirectP99Ms:F2} ms; native bare relay first {Window.TotalSeconds:F0} s {latency.RelayColdP99Ms:F2} ms, warmed {latency.RelayWarmP99Ms:F2} ms, direct {latency.RelayDirectP99Ms:F2} ms, warm turn start p99 {latency.RelayWarmTurnStart!.RequestP99Ms:F2} / {latency.RelayWarmTurnStart.FirstChunkP99Ms:F2} ms (direct {latency.RelayWarmTurnStart.DirectRequestP99Ms:F2} / {latency.RelayWarmTurnStart.DirectFirstChunkP99Ms:F2}); errors {latency.Errors}"));
            }

            if (options.ColdParts.Contains("cancel"))
            {
                ColdCancelRun cancel = await CancelAsync(options, options.Gateway, run).ConfigureAwait(false);
                section.Cancel.Add(cancel);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                    $"  cold cancel {cancel.Build} run {run + 1}: cancel→done p99 first {Window.TotalSeconds:F0} s {cancel.ColdDoneP99Ms:F2} ms ({cancel.ColdCancels} cancels), warmed {cancel.WarmDoneP99Ms:F2} ms ({cancel.WarmCancels}); ping→pong p99 {cancel.ColdPongP99Ms:F2} / {cancel.WarmPongP99Ms:F2} ms; errors {cancel.Errors}"));
            }
        }

        return section;
    }

    /// <summary>
    /// Every load this scenario puts on a gateway, put once on a throwaway stack (its own simulator and gateway,
    /// stopped afterwards), so that the load generator's own code is compiled and its pool grown before it
    /// measures a fresh gateway. In experiment 44's first run, before this, the load generator's first
    /// windows (direct and through the gateway) held 196 and 245 slow samples in their first 250 ms, against
    /// 0–122 and 10–35 in the runs after it.
    /// </summary>
    private static async Task WarmLoadGeneratorAsync(BenchOptions options)
    {
        using BenchStack stack = await BenchStack.StartAsync(options, jitLog: false, build: options.Gateway).ConfigureAwait(false);
        await LatencyScenario.MeasureAsync(options, stack, Mode.Direct, null, LatencyTurns, LatencyChunksPerTurn, 0, 0).ConfigureAwait(false);
        await LatencyScenario.MeasureAsync(options, stack, Mode.Gateway, null, LatencyTurns, LatencyChunksPerTurn, 0, 0).ConfigureAwait(false);
        await ThroughputWindowAsync(stack).ConfigureAwait(false);
        await TurnStartProbe.MeasureAsync(stack, WarmTurnStarts, WarmTurnStarts).ConfigureAwait(false);
        await CancelWindowAsync(stack, 0).ConfigureAwait(false);
        stack.EnsureAlive();
    }

    private static string Name(GatewayBuild build) => build == GatewayBuild.Native ? "native" : "jit";

    private static async Task<BenchStack> FreshStackAsync(BenchOptions options, GatewayBuild build)
    {
        // An operator who expects this many turns in an instance's first seconds sizes the start-up warm-up of the
        // upstream pool to them (Letta:WarmConnections, docs/DEPLOYMENT.md); the shipped default is 32. Set in the
        // environment, so that an experiment's BENCH_GATEWAY_ENV can change it.
        var environment = new Dictionary<string, string> { ["Letta__WarmConnections"] = LatencyTurns.ToString(CultureInfo.InvariantCulture) };
        foreach ((string key, string value) in GatewayTrace.GatewayEnvironment(options) ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        BenchStack stack = await BenchStack.StartAsync(options, environment, jitLog: false, build: build).ConfigureAwait(false);
        try
        {
            await WarmSimulatorAsync(stack).ConfigureAwait(false);
            return stack;
        }
        catch
        {
            stack.Dispose();
            throw;
        }
    }

    private static async Task<ColdRun> ThroughputAsync(BenchOptions options, GatewayBuild build)
    {
        using BenchStack stack = await FreshStackAsync(options, build).ConfigureAwait(false);
        TurnStartRun firstTurn = await TurnStartProbe.MeasureAsync(stack, turns: 1, directTurns: 20).ConfigureAwait(false);
        (double coldRate, double coldCpu, int coldErrors) = await ThroughputWindowAsync(stack).ConfigureAwait(false);
        await WarmAsync(stack).ConfigureAwait(false);
        (double warmRate, double warmCpu, int warmErrors) = await ThroughputWindowAsync(stack).ConfigureAwait(false);
        TurnStartRun warmTurnStart = await TurnStartProbe.MeasureAsync(stack, WarmTurnStarts, WarmTurnStarts, watched: options.Timeline ? stack.Gateway : null).ConfigureAwait(false);
        stack.EnsureAlive();
        return new ColdRun(stack.GatewayReadySeconds, coldRate, coldCpu, warmRate, warmCpu, coldErrors + warmErrors)
        {
            Build = Name(build),
            FirstTurn = firstTurn,
            WarmTurnStart = warmTurnStart,
        };
    }

    private static async Task<ColdLatencyRun> LatencyAsync(BenchOptions options, GatewayBuild build, int run)
    {
        using BenchStack stack = await FreshStackAsync(options, build).ConfigureAwait(false);

        // The simulator also meets this load read directly first (256 connections of its own, paced turns), so
        // the first window's figure is the gateway's first seconds, not the simulator's.
        for (int i = 0; i < 2; i++)
        {
            await LatencyScenario.MeasureAsync(options, stack, Mode.Direct, null, LatencyTurns, LatencyChunksPerTurn, 0, run).ConfigureAwait(false);
        }

        LatencyRun cold = await LatencyScenario.MeasureAsync(options, stack, Mode.Gateway, null, LatencyTurns, LatencyChunksPerTurn, 0, run).ConfigureAwait(false);
        await WarmAsync(stack).ConfigureAwait(false);
        LatencyRun warm = await LatencyScenario.MeasureAsync(options, stack, Mode.Gateway, null, LatencyTurns, LatencyChunksPerTurn, 0, run).ConfigureAwait(false);
        LatencyRun direct = await LatencyScenario.MeasureAsync(options, stack, Mode.Direct, null, LatencyTurns, LatencyChunksPerTurn, 0, run).ConfigureAwait(false);
        stack.EnsureAlive();

        // The floor: the least relay, published the same way, fresh, on the same (warm) simulator, measured the same way.
        (ChildProcess server, IPEndPoint endPoint, _) = await SelfProcess.StartExecutableAsync("native bare relay", Builder.RelayExecutable(options), Builder.RelayArguments(stack.SimulatorUrl)).ConfigureAwait(false);
        using (server)
        {
            LatencyRun relayCold = await LatencyScenario.MeasureAsync(options, stack, Mode.BareRelay, (server, endPoint), LatencyTurns, LatencyChunksPerTurn, 0, run).ConfigureAwait(false);
            await WarmAsync(stack, endPoint).ConfigureAwait(false);
            LatencyRun relayWarm = await LatencyScenario.MeasureAsync(options, stack, Mode.BareRelay, (server, endPoint), LatencyTurns, LatencyChunksPerTurn, 0, run).ConfigureAwait(false);
            LatencyRun relayDirect = await LatencyScenario.MeasureAsync(options, stack, Mode.Direct, null, LatencyTurns, LatencyChunksPerTurn, 0, run).ConfigureAwait(false);

            // The warm turn-start floor: the same probe the gateway gets after its warm window, through
            // the relay after its own (30 s of the throughput load, then a window of paced load).
            TurnStartRun relayTurnStart = await TurnStartProbe.MeasureAsync(stack, WarmTurnStarts, WarmTurnStarts, endPoint, options.Timeline ? server : null).ConfigureAwait(false);
            if (server.HasExited)
            {
                throw new InvalidOperationException($"The native bare relay exited:{Environment.NewLine}{server.Tail()}");
            }

            return new ColdLatencyRun(Name(build), LatencyTurns, cold.P99Ms, warm.P99Ms, direct.P99Ms, cold.Errors + warm.Errors + direct.Errors + relayCold.Errors + relayWarm.Errors)
            {
                RelayColdP99Ms = relayCold.P99Ms,
                RelayWarmP99Ms = relayWarm.P99Ms,
                RelayDirectP99Ms = relayDirect.P99Ms,
                RelayWarmTurnStart = relayTurnStart,
            };
        }
    }

    private static async Task<ColdCancelRun> CancelAsync(BenchOptions options, GatewayBuild build, int run)
    {
        using BenchStack stack = await FreshStackAsync(options, build).ConfigureAwait(false);
        (List<double> cold, List<double> coldPong, int coldErrors) = await CancelWindowAsync(stack, run).ConfigureAwait(false);
        await WarmAsync(stack).ConfigureAwait(false);
        (List<double> warm, List<double> warmPong, int warmErrors) = await CancelWindowAsync(stack, run + 1000).ConfigureAwait(false);
        stack.EnsureAlive();
        return new ColdCancelRun(Name(build), cold.Count, CancelScenario.Percentile(cold, 0.99), warm.Count, CancelScenario.Percentile(warm, 0.99), coldErrors + warmErrors)
        {
            ColdPongP99Ms = CancelScenario.Percentile(coldPong, 0.99),
            WarmPongP99Ms = CancelScenario.Percentile(warmPong, 0.99),
        };
    }

    /// <summary>Rounds of <see cref="CancelScenario.Turns"/> cancelled turns until the window has passed, pooled,
    /// with the ping → <c>pong</c> floor read on the same connections.</summary>
    private static async Task<(List<double> Done, List<double> Pong, int Errors)> CancelWindowAsync(BenchStack stack, int seed)
    {
        await Http.DeleteAsync(new Uri(stack.SimulatorUrl, "_sim/journal")).ConfigureAwait(false);
        var done = new List<double>();
        var pong = new List<double>();
        int errors = 0;
        var clock = Stopwatch.StartNew();
        for (int round = 0; clock.Elapsed < Window; round++)
        {
            (CancelRun result, List<double> samples, List<double> pongs) = await CancelScenario.MeasureWithSamplesAsync(stack, CancelScenario.Turns, seed * 100 + round).ConfigureAwait(false);
            done.AddRange(samples);
            pong.AddRange(pongs);
            errors += result.Errors;
        }

        return (done, pong, errors);
    }

    /// <summary>The warm-up between the cold and the warm measurement: the throughput load for 30 s (through the
    /// gateway, or through another relay at <paramref name="relay"/>).</summary>
    private static async Task WarmAsync(BenchStack stack, IPEndPoint? relay = null)
    {
        for (int w = 0; w < WarmWindows; w++)
        {
            await ThroughputWindowAsync(stack, relay).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// The upstream must not be what is cold: the simulator is a fresh process too, and a slow producer
    /// would also change the gateway's CPU per delta (fewer deltas merged per frame). So it is warmed with
    /// the same load read directly, while the gateway idles; the gateway's relay path stays untouched.
    /// </summary>
    private static async Task WarmSimulatorAsync(BenchStack stack)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var direct = new DirectClient(stack.SimulatorUrl);
        var clock = Stopwatch.StartNew();
        await Task.WhenAll(Enumerable.Range(0, Connections).Select(async _ =>
        {
            byte[] buffer = new byte[ReceiveBuffer];
            while (clock.Elapsed < SimulatorWarmUp)
            {
                await direct.RunTurnAsync(Content, buffer, null, 0, deadline.Token).ConfigureAwait(false);
            }
        })).ConfigureAwait(false);
    }

    /// <summary>Turns back to back on every connection until the window has passed (the turn under way
    /// when it ends is finished and counted): deltas per second and gateway CPU-s per million.</summary>
    private static async Task<(double Rate, double CpuPerMillion, int Errors)> ThroughputWindowAsync(BenchStack stack, IPEndPoint? relay = null)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var meter = new CpuMeter(stack, gatewayInPath: true);
        meter.Start();
        var clock = Stopwatch.StartNew();
        IReadOnlyList<WsConnection> connections = await GatewayClient.OpenManyAsync(relay ?? stack.GatewayEndPoint, Connections, ReceiveBuffer, deadline.Token).ConfigureAwait(false);
        try
        {
            (long Chunks, int Errors)[] counts = await Task.WhenAll(connections.Select(async (c, i) =>
            {
                long chunks = 0;
                int errors = 0;
                for (int t = 0; clock.Elapsed < Window; t++)
                {
                    TurnResult turn = await GatewayClient.RunTurnAsync(c, $"c{i}-t{t}", Content, null, 0, deadline.Token).ConfigureAwait(false);
                    chunks += turn.Chunks;
                    errors += turn.Error is null && turn.Chunks == ThroughputScenario.ChunksPerTurn ? 0 : 1;
                }

                return (chunks, errors);
            })).ConfigureAwait(false);
            CpuUse cpu = meter.Stop();
            long total = counts.Sum(c => c.Chunks);

            // Where the machine's two cores went in this window: a slow window shows whether the gateway, the
            // simulator, the load generator or something else took them (session 15's slow first windows).
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"    window: {total / cpu.WallSeconds / 1000:N0} k deltas/s; cores: gateway {cpu.GatewayCores:F2}, simulator {cpu.SimulatorCores:F2}, bench {cpu.BenchCores:F2}, others {cpu.OtherCores:F2}"));
            return (total / cpu.WallSeconds, cpu.GatewaySeconds / Math.Max(1, total) * 1e6, counts.Sum(c => c.Errors));
        }
        finally
        {
            await GatewayClient.CloseAllAsync(connections).ConfigureAwait(false);
        }
    }
}
