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
        using var direct = new DirectClient(stack.SimulatorUrl);
        int rounds = 0;
        var settled = new Settling(() => stack.MethodsCompiled, stack.Gateway.Pid, stack.Simulator.Pid);
        bool done = false;
        while (!done && clock.Elapsed < Limit)
        {
            // Every round opens and closes its own connections, as every measurement does: the
            // connection life cycle (upgrade, close, a session's teardown) is warmed up too, not
            // compiled for the first time inside the first measured run.
            IReadOnlyList<WsConnection> connections = await GatewayClient.OpenManyAsync(stack.GatewayEndPoint, Unpaced + Paced, 64 * 1024, deadline.Token).ConfigureAwait(false);
            try
            {
                await RoundAsync(connections, direct, rounds++, deadline.Token).ConfigureAwait(false);
            }
            finally
            {
                await GatewayClient.CloseAllAsync(connections).ConfigureAwait(false);
            }

            done = settled.Check();
        }

        stack.EnsureAlive();
        Console.WriteLine(done
            ? $"  warm-up: {clock.Elapsed.TotalSeconds:F0} s, {rounds} rounds, until tiered compilation had settled in both processes"
            : $"  warm-up: stopped at the {Limit.TotalSeconds:F0} s limit ({rounds} rounds) before tiered compilation had settled");
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
    public static async Task RelayAsync(IPEndPoint relay, int relayPid, string jitLog)
    {
        var clock = Stopwatch.StartNew();
        using var deadline = new CancellationTokenSource(Limit + TimeSpan.FromMinutes(1));
        var settled = new Settling(() => File.Exists(jitLog) ? new FileInfo(jitLog).Length : 0, relayPid);
        for (int round = 0; clock.Elapsed < Limit; round++)
        {
            IReadOnlyList<WsConnection> connections = await GatewayClient.OpenManyAsync(relay, Unpaced + Paced, 64 * 1024, deadline.Token).ConfigureAwait(false);
            try
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
            }
            finally
            {
                await GatewayClient.CloseAllAsync(connections).ConfigureAwait(false);
            }

            if (settled.Check())
            {
                break;
            }
        }

        Console.WriteLine($"  bare relay warm-up: {clock.Elapsed.TotalSeconds:F0} s");
    }

    /// <summary>
    /// Tiered compilation has settled when two rounds in a row compiled next to nothing: the JIT logs
    /// grew by at most two 4 KiB stdio buffers (a few dozen methods: the JIT writes them buffered, so
    /// a file's size moves in steps) and the runtime's tiered-compilation worker threads used at most
    /// 50 ms of CPU (Linux <c>/proc/&lt;pid&gt;/task/*/stat</c>; they only run to recompile methods).
    /// Both trickle on for minutes at a level too small to move a measurement (under 2% of a core).
    /// </summary>
    private sealed class Settling(Func<long> logBytes, params int[] pids)
    {
        private const long QuietLogBytes = 8 * 1024;
        private const long QuietTicks = 5;
        private readonly Dictionary<(int Pid, int Tid), long> _threads = [];
        private long _log = -1;
        private int _quiet;

        public bool Check()
        {
            long log = logBytes();
            long ticks = 0;
            foreach (int pid in pids)
            {
                foreach ((int tid, long total) in ProcStats.TieredCompilationThreads(pid))
                {
                    // A worker thread exits when idle and a new one starts: count per thread.
                    ticks += total - _threads.GetValueOrDefault((pid, tid));
                    _threads[(pid, tid)] = total;
                }
            }

            bool quiet = _log >= 0 && log - _log <= QuietLogBytes && ticks <= QuietTicks;
            _quiet = quiet ? _quiet + 1 : 0;
            _log = log;
            return _quiet >= 2;
        }
    }
}
