using System.Diagnostics;
using System.Globalization;
using System.Net;
using LettaSockets.Bench.Load;

namespace LettaSockets.Bench.Scenarios;

/// <summary>
/// <c>churn --port P --connections C --seconds S [--content X]</c>: a tool for experiments on the cost of a
/// turn start. C connections to a gateway (or the bare relay, which speaks the same frames) each run short
/// turns back to back for S seconds; prints the turns finished and their rate. Read the server's CPU time
/// around it (<c>/proc/PID/stat</c>) to get CPU per turn, or sample it with perf: with a 4-delta turn almost
/// all of a server's work is turn starts and ends.
/// </summary>
internal static class ChurnCommand
{
    public static async Task<int> RunAsync(string[] args)
    {
        int port = 0, connections = 32;
        double seconds = 10;
        string content = "bench n=4 pace=0 size=16";
        for (int i = 1; i < args.Length - 1; i += 2)
        {
            switch (args[i])
            {
                case "--port": port = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--connections": connections = int.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--seconds": seconds = double.Parse(args[i + 1], CultureInfo.InvariantCulture); break;
                case "--content": content = args[i + 1]; break;
            }
        }

        using var deadline = new CancellationTokenSource(TimeSpan.FromSeconds(seconds + 60));
        IReadOnlyList<WsConnection> open = await GatewayClient.OpenManyAsync(new IPEndPoint(IPAddress.Loopback, port), connections, 16 * 1024, deadline.Token).ConfigureAwait(false);
        Console.WriteLine($"open {open.Count}");
        long turns = 0, errors = 0;
        var clock = Stopwatch.StartNew();
        await Parallel.ForEachAsync(open, new ParallelOptions { MaxDegreeOfParallelism = connections, CancellationToken = deadline.Token }, async (connection, ct) =>
        {
            int n = 0;
            while (clock.Elapsed.TotalSeconds < seconds)
            {
                TurnResult turn = await GatewayClient.RunTurnAsync(connection, $"c{n++}", content, null, 0, ct).ConfigureAwait(false);
                Interlocked.Increment(ref turn.Error is null ? ref turns : ref errors);
            }
        }).ConfigureAwait(false);
        double elapsed = clock.Elapsed.TotalSeconds;
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"turns {turns} errors {errors} seconds {elapsed:F2} rate {turns / elapsed:F0}"));
        await GatewayClient.CloseAllAsync(open).ConfigureAwait(false);
        return 0;
    }
}
