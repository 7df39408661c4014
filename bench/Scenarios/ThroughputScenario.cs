using System.Globalization;
using LettaSockets.Bench.Harness;
using LettaSockets.Bench.Load;
using LettaSockets.Bench.Report;

namespace LettaSockets.Bench.Scenarios;

/// <summary>
/// Throughput: 16 concurrent turns × 2,000 unpaced deltas, each connection running turns back to back.
/// Reports deltas per second delivered and the gateway's CPU seconds per million deltas; the direct
/// floor is measured on the same simulator right before or after (alternating).
/// </summary>
internal static class ThroughputScenario
{
    public const int Turns = 16;
    public const int ChunksPerTurn = 2_000;
    private const int ReceiveBuffer = 64 * 1024;

    public static async Task<ThroughputSection> RunAsync(BenchOptions options, BenchStack stack, bool gateway, bool direct)
    {
        int turnsPerConnection = options.Quick ? 4 : options.TurnsPerConnection;
        var section = new ThroughputSection
        {
            MeasuredAt = DateTimeOffset.UtcNow,
            Turns = Turns,
            ChunksPerTurn = ChunksPerTurn,
            TurnsPerConnection = turnsPerConnection,
        };
        for (int run = 0; run < options.Runs; run++)
        {
            Mode[] order = run % 2 == 0 ? [Mode.Gateway, Mode.Direct] : [Mode.Direct, Mode.Gateway];
            foreach (Mode mode in order)
            {
                if (mode == Mode.Gateway && gateway)
                {
                    ThroughputRun result = await MeasureGatewayAsync(options, stack, turnsPerConnection, run).ConfigureAwait(false);
                    section.Gateway.Add(result);
                    Print("gateway", run, result);
                }
                else if (mode == Mode.Direct && direct)
                {
                    ThroughputRun result = await MeasureDirectAsync(stack, turnsPerConnection).ConfigureAwait(false);
                    section.Direct.Add(result);
                    Print("direct", run, result);
                }
            }
        }

        return section;
    }

    private static string Content => $"bench n={ChunksPerTurn} pace=0 size=16";

    private static async Task<ThroughputRun> MeasureGatewayAsync(BenchOptions options, BenchStack stack, int turnsPerConnection, int run)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        IReadOnlyList<WsConnection> connections = await GatewayClient.OpenManyAsync(stack.GatewayEndPoint, Turns, ReceiveBuffer, deadline.Token).ConfigureAwait(false);
        try
        {
            using GatewayTrace? trace = await GatewayTrace.StartAsync(options, stack, $"throughput-{run + 1}").ConfigureAwait(false);
            var meter = new CpuMeter(stack, gatewayInPath: true);
            meter.Start();
            TurnResult[][] results = await Task.WhenAll(connections.Select(async (c, i) =>
            {
                var turns = new TurnResult[turnsPerConnection];
                for (int t = 0; t < turnsPerConnection; t++)
                {
                    turns[t] = await GatewayClient.RunTurnAsync(c, $"c{i}-t{t}", Content, null, 0, deadline.Token).ConfigureAwait(false);
                }

                return turns;
            })).ConfigureAwait(false);
            CpuUse cpu = meter.Stop();
            stack.EnsureAlive();
            return Result(results, cpu, turnsPerConnection);
        }
        finally
        {
            await GatewayClient.CloseAllAsync(connections).ConfigureAwait(false);
        }
    }

    private static async Task<ThroughputRun> MeasureDirectAsync(BenchStack stack, int turnsPerConnection)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using var client = new DirectClient(stack.SimulatorUrl);
        byte[][] buffers = Enumerable.Range(0, Turns).Select(_ => new byte[ReceiveBuffer]).ToArray();

        var meter = new CpuMeter(stack, gatewayInPath: false);
        meter.Start();
        TurnResult[][] results = await Task.WhenAll(buffers.Select(async buffer =>
        {
            var turns = new TurnResult[turnsPerConnection];
            for (int t = 0; t < turnsPerConnection; t++)
            {
                turns[t] = await client.RunTurnAsync(Content, buffer, null, 0, deadline.Token).ConfigureAwait(false);
            }

            return turns;
        })).ConfigureAwait(false);
        CpuUse cpu = meter.Stop();
        stack.EnsureAlive();
        return Result(results, cpu, turnsPerConnection);
    }

    private static ThroughputRun Result(TurnResult[][] results, CpuUse cpu, int turnsPerConnection)
    {
        long chunks = results.Sum(r => r.Sum(t => (long)t.Chunks));
        long expected = (long)Turns * turnsPerConnection * ChunksPerTurn;
        int errors = results.Sum(r => r.Count(t => t.Error is not null || t.Chunks != ChunksPerTurn));
        long frames = results.Sum(r => r.Sum(t => (long)t.Frames));
        return new ThroughputRun(
            frames == 0 ? 1 : (double)chunks / frames,
            chunks,
            expected,
            cpu.WallSeconds,
            chunks / cpu.WallSeconds,
            cpu.GatewaySeconds,
            cpu.GatewaySeconds / chunks * 1e6,
            cpu.GatewayCores,
            cpu.SimulatorCores,
            cpu.BenchCores,
            cpu.OtherCores,
            errors);
    }

    private static void Print(string mode, int run, ThroughputRun r) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  throughput {mode,-7} run {run + 1}: {r.ChunksPerSecond,10:N0} chunks/s  gateway {r.GatewayCpuSecondsPerMillion,5:F2} CPU-s/M  cores gw {r.GatewayCores:F2} sim {r.SimulatorCores:F2} bench {r.BenchCores:F2} others {r.OtherCores:F2}  deltas/frame {r.DeltasPerFrame:F1}  errors {r.Errors}"));
}
