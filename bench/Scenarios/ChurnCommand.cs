using System.Diagnostics;
using System.Globalization;
using System.Net;
using LettaSockets.Bench.Load;

namespace LettaSockets.Bench.Scenarios;

/// <summary>
/// <c>churn --port P --connections C --seconds S [--content X]</c> (or <c>--sequential N [--watch PID]</c>, below):
/// a tool for experiments on the cost of a
/// turn start. C connections to a gateway (or the bare relay, which speaks the same frames) each run short
/// turns back to back for S seconds; prints the turns finished and their rate. Read the server's CPU time
/// around it (<c>/proc/PID/stat</c>) to get CPU per turn, or sample it with perf: with a 4-delta turn almost
/// all of a server's work is turn starts and ends.
/// </summary>
internal static class ChurnCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        string? Value(string name) => Array.IndexOf(args, name) is int at and >= 0 && at + 1 < args.Length ? args[at + 1] : null;
        int Int(string name, int otherwise) => Value(name) is { } text ? int.Parse(text, CultureInfo.InvariantCulture) : otherwise;
        int port = Int("--port", 0);
        int connections = Int("--connections", 32);
        double seconds = Value("--seconds") is { } s ? double.Parse(s, CultureInfo.InvariantCulture) : 10;
        string content = Value("--content") ?? "bench n=4 pace=0 size=16";
        if (Int("--sequential", 0) is int sequential and > 0)
        {
            return await SequentialAsync(port, sequential, content, Int("--watch", 0)).ConfigureAwait(false);
        }

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(seconds + 60));
        IReadOnlyList<WsConnection> open = await GatewayClient.OpenManyAsync(new IPEndPoint(IPAddress.Loopback, port), connections, 16 * 1024, deadline.Token).ConfigureAwait(false);
        Console.WriteLine($"open {open.Count}");
        (long turns, long errors, double elapsed) = await ChurnAsync(open, TimeSpan.FromSeconds(seconds), content, deadline.Token).ConfigureAwait(false);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"turns {turns} errors {errors} seconds {elapsed:F2} rate {turns / elapsed:F0}"));
        await GatewayClient.CloseAllAsync(open).ConfigureAwait(false);
        return 0;
    }

    /// <summary>Every connection runs <paramref name="content"/> turns back to back until <paramref name="duration"/> is over.</summary>
    public static async Task<(long Turns, long Errors, double Seconds)> ChurnAsync(IReadOnlyList<WsConnection> connections, TimeSpan duration, string content, CancellationToken cancellationToken)
    {
        long turns = 0, errors = 0;
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(connections, new ParallelOptions { MaxDegreeOfParallelism = connections.Count, CancellationToken = cancellationToken }, async (connection, ct) =>
        {
            int n = 0;
            while (clock.Elapsed < duration)
            {
                TurnResult turn = await GatewayClient.RunTurnAsync(connection, $"c{n++}", content, null, 0, ct).ConfigureAwait(false);
                Interlocked.Increment(ref turn.Error is null ? ref turns : ref errors);
            }
        }).ConfigureAwait(false);
        return (turns, errors, clock.Elapsed.TotalSeconds);
    }

    /// <summary><c>--sequential N</c>: N turns one after another on one connection; prints the
    /// round trips' p50, p99 and maximum and the five slowest with their index (to see pauses). With
    /// <c>--watch PID</c>, also the collections of that process during the run and the turns they overlapped.</summary>
    private static async Task<int> SequentialAsync(int port, int turns, string content, int watchPid)
    {
        await using Harness.GcWatch? watch = watchPid > 0 ? Harness.GcWatch.Start(watchPid) : null;
        if (watch is not null)
        {
            await Task.Delay(1000).ConfigureAwait(false); // the session's first events
        }

        var spans = new (DateTime Start, DateTime End)[turns];
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        using WsConnection connection = await GatewayClient.OpenAsync(new IPEndPoint(IPAddress.Loopback, port), null, 16 * 1024, deadline.Token).ConfigureAwait(false);
        var ms = new double[turns];
        for (int i = 0; i < turns; i++)
        {
            long start = Stopwatch.GetTimestamp();
            DateTime at = DateTime.UtcNow;
            TurnResult turn = await GatewayClient.RunTurnAsync(connection, $"q{i}", content, null, 0, deadline.Token).ConfigureAwait(false);
            ms[i] = Stopwatch.GetElapsedTime(start).TotalMilliseconds;
            spans[i] = (at, at.AddMilliseconds(ms[i]));
            if (turn.Error is not null)
            {
                Console.WriteLine($"turn {i} failed: {turn.Error}");
            }
        }

        List<double> sorted = [.. ms.Order()];
        string slowest = string.Join(" ", ms.Select((v, i) => (v, i)).OrderByDescending(x => x.v).Take(5).Select(x => string.Create(CultureInfo.InvariantCulture, $"#{x.i}:{x.v:F2}")));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"sequential {turns} p50 {CancelScenario.Percentile(sorted, 0.50):F3} p99 {CancelScenario.Percentile(sorted, 0.99):F3} max {sorted[^1]:F3} ms; slowest {slowest}"));
        if (watch is not null)
        {
            await Task.Delay(1500).ConfigureAwait(false);
            foreach (Harness.RuntimeEvent e in watch.Events.Where(e => e.At >= spans[0].Start && e.At <= spans[^1].End && !e.What.StartsWith("  (", StringComparison.Ordinal)))
            {
                int hit = Array.FindIndex(spans, t => e.At >= t.Start && e.At <= t.End);
                Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"  {e.What} paused {e.PauseMs:F2} ms during turn #{hit} ({(hit >= 0 ? ms[hit] : 0):F2} ms)"));
            }
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await connection.CloseAsync(timeout.Token).ConfigureAwait(false);
        return 0;
    }
}
