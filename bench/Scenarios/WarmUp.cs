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
        using var direct = new DirectClient(stack.SimulatorUrl);
        var settling = new Settling(() => stack.MethodsCompiled, stack.Gateway.Pid, stack.Simulator.Pid);
        (bool settled, int rounds) = await RoundsAsync(stack.GatewayEndPoint, settling, (connections, round, token) => RoundAsync(connections, direct, round, token)).ConfigureAwait(false);
        stack.EnsureAlive();
        Console.WriteLine(settled
            ? $"  warm-up: {clock.Elapsed.TotalSeconds:F0} s, {rounds} rounds, until tiered compilation had settled in both processes"
            : $"  warm-up: stopped at the {Limit.TotalSeconds:F0} s limit ({rounds} rounds) before tiered compilation had settled");
    }

    /// <summary>Warms the bare relay the same way (its own compilation log), until it has settled.</summary>
    public static async Task RelayAsync(IPEndPoint relay, int relayPid, string jitLog)
    {
        var clock = Stopwatch.StartNew();
        var settling = new Settling(() => File.Exists(jitLog) ? new FileInfo(jitLog).Length : 0, relayPid);
        await RoundsAsync(relay, settling, (connections, round, token) => TurnsAsync(connections, $"relay{round}", token)).ConfigureAwait(false);
        Console.WriteLine($"  bare relay warm-up: {clock.Elapsed.TotalSeconds:F0} s");
    }

    /// <summary>
    /// Runs rounds until <paramref name="settling"/> says compilation has settled, or the time limit.
    /// Every round opens and closes its own connections, as every measurement does: the connection
    /// life cycle (upgrade, close, a session's teardown) is warmed up too, not compiled for the first
    /// time inside the first measured run.
    /// </summary>
    private static async Task<(bool Settled, int Rounds)> RoundsAsync(IPEndPoint endpoint, Settling settling, Func<IReadOnlyList<WsConnection>, int, CancellationToken, Task> round)
    {
        var clock = Stopwatch.StartNew();
        using var deadline = new CancellationTokenSource(Limit + TimeSpan.FromMinutes(1));
        int rounds = 0;
        while (clock.Elapsed < Limit)
        {
            IReadOnlyList<WsConnection> connections = await GatewayClient.OpenManyAsync(endpoint, Unpaced + Paced, 64 * 1024, deadline.Token).ConfigureAwait(false);
            try
            {
                await round(connections, rounds++, deadline.Token).ConfigureAwait(false);
            }
            finally
            {
                await GatewayClient.CloseAllAsync(connections).ConfigureAwait(false);
            }

            if (settling.Check())
            {
                return (true, rounds);
            }
        }

        return (false, rounds);
    }

    private static async Task RoundAsync(IReadOnlyList<WsConnection> connections, DirectClient direct, int round, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        Task gateway = TurnsAsync(connections, $"warm{round}", cancellationToken);
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

    /// <summary>
    /// One round's turns on a server: unpaced turns back to back for <see cref="Round"/> find their
    /// frames queued and merge them; paced ones wait for every delta, which takes other code paths
    /// (awaits that really suspend, one frame per delta).
    /// </summary>
    private static Task TurnsAsync(IReadOnlyList<WsConnection> connections, string prefix, CancellationToken cancellationToken)
    {
        var clock = Stopwatch.StartNew();
        return Task.WhenAll(connections.Take(Unpaced).Select(async (c, i) =>
        {
            for (int t = 0; clock.Elapsed < Round; t++)
            {
                await GatewayClient.RunTurnAsync(c, $"{prefix}-{i}-{t}", Content, null, 0, cancellationToken).ConfigureAwait(false);
            }
        }).Concat(connections.Skip(Unpaced).Select((c, i) =>
            GatewayClient.RunTurnAsync(c, $"{prefix}-paced-{i}", "bench n=36 pace=20 size=16", null, 0, cancellationToken))));
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
