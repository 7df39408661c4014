using System.Diagnostics;
using System.Globalization;
using System.Net;
using LettaSockets.Bench.Harness;
using LettaSockets.Bench.Load;
using LettaSockets.Bench.Report;

namespace LettaSockets.Bench.Scenarios;

/// <summary>
/// Latency: 32, 256 and 1,024 concurrent turns, each paced at 20 deltas per second, turn starts spread
/// evenly over one pacing interval (so the load is smooth, not a thundering herd every 50 ms). Every
/// delta's latency is its arrival in the load generator minus the simulator's timestamp in it; the
/// first second of every turn is warm-up and not recorded. Gateway and direct floor alternate on the
/// same simulator.
/// </summary>
internal static class LatencyScenario
{
    public const double Rate = 20;
    private const int ReceiveBuffer = 16 * 1024;

    public static async Task<LatencySection> RunAsync(BenchOptions options, BenchStack stack, bool gateway, bool direct)
    {
        double warmup = 1;
        double measured = options.Quick ? 2 : 5;
        var section = new LatencySection
        {
            MeasuredAt = DateTimeOffset.UtcNow,
            ChunksPerSecondPerTurn = Rate,
            WarmupSeconds = warmup,
            MeasuredSeconds = measured,
        };
        int chunksPerTurn = (int)(Rate * (warmup + measured));
        int skip = (int)(Rate * warmup);
        foreach (int turns in options.LatencyLevels)
        {
            section.Levels.Add(new LatencyLevel { Turns = turns });
        }

        // The bare relay (gateway runs only): what any .NET relay of SSE to WebSocket costs here.
        (ChildProcess Server, IPEndPoint EndPoint)? relay = null;
        if (gateway)
        {
            string jitLog = Path.Combine(stack.JitLogs, "relay.txt");
            relay = await SelfProcess.StartServerAsync("bare relay", "bare-relay", Builder.RelayArguments(stack.SimulatorUrl),
                new Dictionary<string, string> { ["DOTNET_JitStdOutFile"] = jitLog, ["DOTNET_JitDisasmSummary"] = "1" }).ConfigureAwait(false);
            await WarmUp.RelayAsync(relay.Value.EndPoint, relay.Value.Server.Pid, jitLog).ConfigureAwait(false);
        }

        try
        {
            Mode[][] orders = [[Mode.Gateway, Mode.Direct, Mode.BareRelay], [Mode.Direct, Mode.BareRelay, Mode.Gateway], [Mode.BareRelay, Mode.Gateway, Mode.Direct]];
            for (int run = 0; run < options.Runs; run++)
            {
                foreach (LatencyLevel level in section.Levels)
                {
                    foreach (Mode mode in orders[run % orders.Length])
                    {
                        if (mode == Mode.Gateway ? !gateway : mode == Mode.Direct ? !direct : relay is null)
                        {
                            continue;
                        }

                        LatencyRun result = await MeasureAsync(options, stack, mode, relay, level.Turns, chunksPerTurn, skip, run).ConfigureAwait(false);
                        (mode switch { Mode.Gateway => level.Gateway, Mode.Direct => level.Direct, _ => level.BareRelay }).Add(result);
                        Print(mode switch { Mode.Gateway => "gateway", Mode.Direct => "direct", _ => "relay" }, level.Turns, run, result);
                    }
                }
            }
        }
        finally
        {
            relay?.Server.Dispose();
        }

        return section;
    }

    internal static async Task<LatencyRun> MeasureAsync(BenchOptions options, BenchStack stack, Mode mode, (ChildProcess Server, IPEndPoint EndPoint)? relay, int turns, int chunksPerTurn, int skip, int run)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        string content = string.Create(CultureInfo.InvariantCulture, $"bench n={chunksPerTurn} pace={Rate} size=16");
        IReadOnlyList<WsConnection>? connections = mode switch
        {
            Mode.Gateway => await GatewayClient.OpenManyAsync(stack.GatewayEndPoint, turns, ReceiveBuffer, deadline.Token).ConfigureAwait(false),
            Mode.BareRelay => await GatewayClient.OpenManyAsync(relay!.Value.EndPoint, turns, ReceiveBuffer, deadline.Token).ConfigureAwait(false),
            _ => null,
        };
        using var direct = mode == Mode.Direct ? new DirectClient(stack.SimulatorUrl) : null;
        var samples = Enumerable.Range(0, turns).Select(_ => new LatencySamples(chunksPerTurn, options.Timeline)).ToArray();
        try
        {
            using GatewayTrace? trace = mode == Mode.Gateway ? await GatewayTrace.StartAsync(options, stack, $"latency-{turns}-{run + 1}").ConfigureAwait(false) : null;
            await using GcWatch? runtime = options.Timeline && mode != Mode.Direct ? GcWatch.Start(mode == Mode.Gateway ? stack.Gateway.Pid : relay!.Value.Server.Pid) : null;
            var meter = new CpuMeter(stack, mode switch { Mode.Gateway => stack.Gateway, Mode.BareRelay => relay!.Value.Server, _ => null });
            double spread = Stopwatch.Frequency / Rate / turns;
            long start = Stopwatch.GetTimestamp() + (Stopwatch.Frequency / 10);
            DateTime startUtc = DateTime.UtcNow.AddSeconds(0.1);
            meter.Start();
            TurnResult[] results = await Task.WhenAll(Enumerable.Range(0, turns).Select(async i =>
            {
                TimeSpan wait = Stopwatch.GetElapsedTime(Stopwatch.GetTimestamp(), start + (long)(i * spread));
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, deadline.Token).ConfigureAwait(false);
                }

                return connections is not null
                    ? await GatewayClient.RunTurnAsync(connections[i], $"l{i}", content, samples[i], skip, deadline.Token).ConfigureAwait(false)
                    : await direct!.RunTurnAsync(content, new byte[ReceiveBuffer], samples[i], skip, deadline.Token).ConfigureAwait(false);
            })).ConfigureAwait(false);
            CpuUse cpu = meter.Stop();
            stack.EnsureAlive();
            LatencySummary latency = LatencySamples.Summarize(samples);
            if (options.Timeline)
            {
                PrintTimeline(mode, latency, LatencySamples.Timeline(samples, start, TimeSpan.FromMilliseconds(250), Math.Max(2, latency.P99)));
                if (runtime is not null)
                {
                    await runtime.DisposeAsync().ConfigureAwait(false); // stops the session: every event is in
                    Console.WriteLine($"  {(mode == Mode.Gateway ? "gateway" : "relay")} runtime: " + string.Join("  ", runtime.Events
                        .Select(e => string.Create(CultureInfo.InvariantCulture, $"{(e.At - startUtc).TotalSeconds:F3}s {e.What}{(e.PauseMs > 0 ? $" {e.PauseMs:F1}ms" : "")}"))));
                }
            }

            long frames = results.Sum(r => (long)r.Frames);
            return new LatencyRun(
                frames == 0 ? 1 : (double)results.Sum(r => (long)r.Chunks) / frames,
                latency.Samples,
                latency.P50,
                latency.P99,
                latency.P999,
                latency.Max,
                results.Sum(r => (long)r.Chunks),
                (long)turns * chunksPerTurn,
                cpu.GatewayCores,
                cpu.SimulatorCores,
                cpu.BenchCores,
                cpu.OtherCores,
                results.Count(r => r.Error is not null || r.Chunks != chunksPerTurn));
        }
        finally
        {
            if (connections is not null)
            {
                await GatewayClient.CloseAllAsync(connections).ConfigureAwait(false);
            }
        }
    }

    private static void PrintTimeline(Mode mode, LatencySummary latency, IReadOnlyList<TimelineBucket> buckets) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  timeline {mode} (slices of 250 ms: samples/over {Math.Max(2, latency.P99):F1} ms/max ms): {string.Join("  ", buckets.Select(b => $"{b.AtSeconds:F2}s {b.Samples}/{b.Slow}/{b.MaxMs:F1}"))}"));

    private static void Print(string mode, int turns, int run, LatencyRun r) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  latency {turns,5} turns {mode,-7} run {run + 1}: p50 {r.P50Ms,7:F2} ms  p99 {r.P99Ms,7:F2} ms  max {r.MaxMs,7:F2} ms  ({r.Samples:N0} samples)  cores gw {r.GatewayCores:F2} sim {r.SimulatorCores:F2} bench {r.BenchCores:F2} others {r.OtherCores:F2}  errors {r.Errors}"));
}
