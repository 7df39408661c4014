using System.Diagnostics;
using System.Net;
using LettaSockets.Bench.Harness;
using LettaSockets.Bench.Load;

namespace LettaSockets.Bench.Scenarios;

/// <summary>
/// Brings the gateway and the simulator to steady state before anything is measured. Tiered
/// compilation re-compiles thousands of framework methods (Kestrel, HttpClient, pipelines) twice
/// under load, for tens of seconds on this machine; measured during that time the gateway costs two
/// to three times its steady-state CPU. A gateway runs for days, so steady state is the honest
/// figure: load (unpaced turns, a cancel, direct streams) is applied in rounds until a whole round
/// compiles no new method in either process.
/// </summary>
internal static class WarmUp
{
    private static readonly TimeSpan Round = TimeSpan.FromSeconds(2);
    private static readonly TimeSpan Limit = TimeSpan.FromSeconds(90);
    private const string Content = "bench n=2000 pace=0 size=16";
    private const int Unpaced = 8;
    private const int Paced = 32;

    public static async Task RunAsync(BenchStack stack)
    {
        var clock = Stopwatch.StartNew();
        using var deadline = new CancellationTokenSource(Limit + TimeSpan.FromMinutes(1));
        IReadOnlyList<WsConnection> connections = await GatewayClient.OpenManyAsync(stack.GatewayEndPoint, Unpaced + Paced, 64 * 1024, deadline.Token).ConfigureAwait(false);
        using var direct = new DirectClient(stack.SimulatorUrl);
        int rounds = 0;
        try
        {
            long compiled = -1;
            int quiet = 0;
            while (clock.Elapsed < Limit)
            {
                await RoundAsync(connections, direct, rounds++, deadline.Token).ConfigureAwait(false);
                long now = stack.MethodsCompiled;
                quiet = now == compiled ? quiet + 1 : 0;
                compiled = now;
                if (quiet >= 2)
                {
                    break;
                }
            }
        }
        finally
        {
            await GatewayClient.CloseAllAsync(connections).ConfigureAwait(false);
        }

        stack.EnsureAlive();
        Console.WriteLine($"  warm-up: {clock.Elapsed.TotalSeconds:F0} s, {rounds} rounds, until tiered compilation had settled in both processes");
    }

    private static async Task RoundAsync(IReadOnlyList<WsConnection> connections, DirectClient direct, int round, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        // Unpaced turns find the frames queued and merge them; paced ones wait for every delta, which
        // takes other code paths (awaits that really suspend, one frame per delta).
        Task gateway = Task.WhenAll(connections.Take(Unpaced).Select(async (c, i) =>
        {
            for (int t = 0; clock.Elapsed < Round; t++)
            {
                await GatewayClient.RunTurnAsync(c, $"warm{round}-{i}-{t}", Content, null, 0, cancellationToken).ConfigureAwait(false);
            }
        }).Concat(connections.Skip(Unpaced).Select((c, i) =>
            GatewayClient.RunTurnAsync(c, $"warm{round}-paced-{i}", "bench n=36 pace=20 size=16", null, 0, cancellationToken))));
        Task floor = Task.WhenAll(Enumerable.Range(0, 2).Select(async _ =>
        {
            byte[] buffer = new byte[64 * 1024];
            while (clock.Elapsed < Round)
            {
                await direct.RunTurnAsync(Content, buffer, null, 0, cancellationToken).ConfigureAwait(false);
            }
        }));
        await Task.WhenAll(gateway, floor).ConfigureAwait(false);
        await CancelScenario.CancelledTurnAsync(connections[0], $"warm{round}-cancel", cancellationToken).ConfigureAwait(false);
        Task pacedFloor = Task.WhenAll(Enumerable.Range(0, 8).Select(_ => direct.RunTurnAsync("bench n=10 pace=20 size=16", new byte[4096], null, 0, cancellationToken)));
        await pacedFloor.ConfigureAwait(false);
    }

    /// <summary>Warms the bare relay the same way (its own compilation log), until a round compiles nothing new.</summary>
    public static async Task RelayAsync(IPEndPoint relay, string jitLog)
    {
        var clock = Stopwatch.StartNew();
        using var deadline = new CancellationTokenSource(Limit + TimeSpan.FromMinutes(1));
        IReadOnlyList<WsConnection> connections = await GatewayClient.OpenManyAsync(relay, Unpaced + Paced, 64 * 1024, deadline.Token).ConfigureAwait(false);
        try
        {
            long compiled = -1;
            int quiet = 0;
            for (int round = 0; clock.Elapsed < Limit && quiet < 2; round++)
            {
                var roundClock = Stopwatch.StartNew();
                await Task.WhenAll(connections.Take(Unpaced).Select(async (c, i) =>
                {
                    for (int t = 0; roundClock.Elapsed < Round; t++)
                    {
                        await GatewayClient.RunTurnAsync(c, $"relay{round}-{i}-{t}", Content, null, 0, deadline.Token).ConfigureAwait(false);
                    }
                }).Concat(connections.Skip(Unpaced).Select((c, i) =>
                    GatewayClient.RunTurnAsync(c, $"relay{round}-paced-{i}", "bench n=36 pace=20 size=16", null, 0, deadline.Token)))).ConfigureAwait(false);
                long now = File.Exists(jitLog) ? new FileInfo(jitLog).Length : 0;
                quiet = now == compiled ? quiet + 1 : 0;
                compiled = now;
            }
        }
        finally
        {
            await GatewayClient.CloseAllAsync(connections).ConfigureAwait(false);
        }

        Console.WriteLine($"  bare relay warm-up: {clock.Elapsed.TotalSeconds:F0} s");
    }
}
