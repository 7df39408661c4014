using System.Diagnostics;
using System.Globalization;
using LettaSockets.Bench.Harness;
using LettaSockets.Bench.Load;
using LettaSockets.Bench.Report;

namespace LettaSockets.Bench.Scenarios;

/// <summary>
/// Cold start (issue 16, first part): what the first users of a freshly started gateway get. Each run
/// starts a new simulator and gateway (without the JIT logging the other scenarios use to watch tiering),
/// reads the time from the gateway's process start to its first <c>/readyz</c> 200, warms the simulator
/// (not the gateway) with 15 s of the load read directly, then runs the
/// throughput load (16 connections, 2,000-delta turns back to back) for <see cref="Window"/> — the
/// process's first seconds — and reports deltas per second and the gateway's CPU per million deltas. The
/// same process then runs the same load for 30 s more and is measured again for the same window: cold
/// and warm side by side, one process.
/// </summary>
internal static class ColdScenario
{
    public static readonly TimeSpan Window = TimeSpan.FromSeconds(5);

    /// <summary>Windows of load before the warm one (without JIT logs the bench cannot watch tiering settle;
    /// 30 s of this load is where the warm figures stopped moving in the throughput scenario's warm-ups).</summary>
    private const int WarmWindows = 6;
    private const int Connections = ThroughputScenario.Turns;
    private const int ReceiveBuffer = 64 * 1024;
    private static readonly string Content = $"bench n={ThroughputScenario.ChunksPerTurn} pace=0 size=16";

    public static async Task<ColdSection> RunAsync(BenchOptions options)
    {
        var section = new ColdSection { MeasuredAt = DateTimeOffset.UtcNow, WindowSeconds = Window.TotalSeconds };
        for (int run = 0; run < options.Runs; run++)
        {
            using BenchStack stack = await BenchStack.StartAsync(options, GatewayTrace.GatewayEnvironment(options), jitLog: false).ConfigureAwait(false);
            await WarmSimulatorAsync(stack).ConfigureAwait(false);
            (double coldRate, double coldCpu, int coldErrors) = await WindowAsync(stack).ConfigureAwait(false);
            for (int w = 0; w < WarmWindows; w++)
            {
                await WindowAsync(stack).ConfigureAwait(false); // the warm-up: the same load, 30 s of it
            }

            (double warmRate, double warmCpu, int warmErrors) = await WindowAsync(stack).ConfigureAwait(false);
            stack.EnsureAlive();
            var result = new ColdRun(stack.GatewayReadySeconds, coldRate, coldCpu, warmRate, warmCpu, coldErrors + warmErrors);
            section.Runs.Add(result);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  cold run {run + 1}: ready after {result.ReadySeconds * 1000:F0} ms; first {Window.TotalSeconds:F0} s {result.ColdChunksPerSecond:N0} deltas/s at {result.ColdCpuSecondsPerMillion:F2} CPU-s/M; warmed {result.WarmChunksPerSecond:N0} deltas/s at {result.WarmCpuSecondsPerMillion:F2} CPU-s/M ({result.ColdChunksPerSecond / result.WarmChunksPerSecond:P0}); errors {result.Errors}"));
        }

        return section;
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

    private static readonly TimeSpan SimulatorWarmUp = TimeSpan.FromSeconds(15);

    /// <summary>Turns back to back on every connection until the window has passed (the turn under way
    /// when it ends is finished and counted): deltas per second and gateway CPU-s per million.</summary>
    private static async Task<(double Rate, double CpuPerMillion, int Errors)> WindowAsync(BenchStack stack)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        var meter = new CpuMeter(stack, gatewayInPath: true);
        meter.Start();
        var clock = Stopwatch.StartNew();
        IReadOnlyList<WsConnection> connections = await GatewayClient.OpenManyAsync(stack.GatewayEndPoint, Connections, ReceiveBuffer, deadline.Token).ConfigureAwait(false);
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
            return (total / cpu.WallSeconds, cpu.GatewaySeconds / Math.Max(1, total) * 1e6, counts.Sum(c => c.Errors));
        }
        finally
        {
            await GatewayClient.CloseAllAsync(connections).ConfigureAwait(false);
        }
    }
}
