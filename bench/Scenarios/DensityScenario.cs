using System.Diagnostics;
using System.Globalization;
using System.Net;
using LettaSockets.Bench.Harness;
using LettaSockets.Bench.Load;
using LettaSockets.Bench.Report;

namespace LettaSockets.Bench.Scenarios;

/// <summary>
/// Density: N idle WebSocket connections (default 10,000) on a fresh gateway, and the same on a bare
/// Kestrel WebSocket server (<see cref="BareServerCommand"/>): the floor any ASP.NET Core server pays; and on that server with the
/// reader loop, writer loop and bounded channel the design asks for (<c>--loops</c>): the floor of the design. Gateway RSS per connection
/// is (VmRSS with them − VmRSS before) / N after they settled; idle CPU is the gateway's CPU over a quiet
/// window with all of them open. Then the capacity probe tries to hold 20,000 at once, with its client
/// side split over this process and a helper process (each process may own at most RLIMIT_NOFILE
/// sockets), and reports how many the gateway held, against its own open-files limit.
/// </summary>
internal static class DensityScenario
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);
    private const int SmallCount = 1_000;

    public static async Task<DensitySection> RunAsync(BenchOptions options)
    {
        int connections = options.Quick ? Math.Min(options.IdleConnections, 2_000) : options.IdleConnections;
        double idleSeconds = options.Quick ? 3 : 10;
        int small = Math.Min(connections, SmallCount);
        var section = new DensitySection { MeasuredAt = DateTimeOffset.UtcNow, Connections = connections, SmallConnections = small };
        for (int run = 0; run < options.Runs; run++)
        {
            // Idle cost must not grow faster than the connections: a fresh gateway holds 1,000 first, another the full count.
            using (BenchStack stack = await BenchStack.StartAsync(options, GatewayTrace.GatewayEnvironment(options)).ConfigureAwait(false))
            {
                DensityRun result = await MeasureAsync(stack.Gateway, stack.GatewayEndPoint, gateway: true, small, idleSeconds).ConfigureAwait(false);
                section.Small.Add(result);
                Print("gateway", run, result);
            }

            using (BenchStack stack = await BenchStack.StartAsync(options, GatewayTrace.GatewayEnvironment(options)).ConfigureAwait(false))
            {
                DensityRun result = await MeasureAsync(stack.Gateway, stack.GatewayEndPoint, gateway: true, connections, idleSeconds).ConfigureAwait(false);
                section.Runs.Add(result);
                Print("gateway", run, result);
            }

            section.Bare.Add(await MeasureBareAsync(options, "bare Kestrel", [], run, connections, idleSeconds).ConfigureAwait(false));
            section.Loops.Add(await MeasureBareAsync(options, "bare + loops", ["--loops"], run, connections, idleSeconds).ConfigureAwait(false));
        }

        if (options.CapacityTarget > 0 && !options.Quick)
        {
            using BenchStack stack = await BenchStack.StartAsync(options, GatewayTrace.GatewayEnvironment(options)).ConfigureAwait(false);
            section.Capacity = await ProbeCapacityAsync(stack, options.CapacityTarget).ConfigureAwait(false);
            CapacityProbe c = section.Capacity;
            Console.WriteLine($"  capacity: {c.Held:N0} of {c.Target:N0} held ({c.Failed:N0} failed: {c.FirstError ?? "-"}); gateway open files {c.GatewayOpenFilesBefore} → {c.GatewayOpenFilesPeak} of a limit of {c.GatewayMaxOpenFiles}; serves after: {c.GatewayServedAfter}");
        }

        return section;
    }

    /// <summary>The bare server (<see cref="BareServerCommand"/>, with <paramref name="extra"/> arguments) on a process of its own.</summary>
    private static async Task<DensityRun> MeasureBareAsync(BenchOptions options, string name, string[] extra, int run, int connections, double idleSeconds)
    {
        (ChildProcess server, IPEndPoint endpoint) = await SelfProcess.StartServerAsync(name, "bare-server", extra, GatewayTrace.GatewayEnvironment(options)).ConfigureAwait(false);
        using (server)
        {
            DensityRun result = await MeasureAsync(server, endpoint, gateway: false, connections, idleSeconds).ConfigureAwait(false);
            Print(name, run, result);
            return result;
        }
    }

    private static void Print(string server, int run, DensityRun result) =>
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  density {server,-12} run {run + 1}: {result.Held:N0} held ({result.Failed} failed, {result.StillOpenAfterIdle:N0} open after idle) in {result.ConnectSeconds:F1} s; RSS {result.RssBeforeBytes / 1048576.0:F1} → {result.RssAfterBytes / 1048576.0:F1} MiB = {result.RssPerConnectionKiB:F2} KiB/connection{(result.ManagedHeapPerConnectionKiB is { } heap ? $" (live managed heap {heap:F2} KiB)" : "")}; idle CPU {result.IdleCpuPercent:F2} % of a core"));

    private static async Task<DensityRun> MeasureAsync(ChildProcess server, IPEndPoint endpoint, bool gateway, int count, double idleSeconds)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await WarmUpAsync(endpoint, gateway, deadline.Token).ConfigureAwait(false);
        await Task.Delay(1000).ConfigureAwait(false);
        int pid = server.Pid;
        long? heapBefore = gateway ? null : await LiveHeapAsync(endpoint, deadline.Token).ConfigureAwait(false);
        long rssBefore = ProcStats.RssBytes(pid);

        var clock = Stopwatch.StartNew();
        await using IdleConnections idle = await IdleConnections.OpenAsync(endpoint, count, 2, 8, ConnectTimeout, deadline.Token).ConfigureAwait(false);
        double connectSeconds = clock.Elapsed.TotalSeconds;
        await Task.Delay(2000).ConfigureAwait(false); // let the accept burst settle

        TimeSpan cpuBefore = server.Cpu;
        TimeSpan benchBefore = Process.GetCurrentProcess().TotalProcessorTime;
        var window = Stopwatch.StartNew();
        await Task.Delay(TimeSpan.FromSeconds(idleSeconds)).ConfigureAwait(false);
        double seconds = window.Elapsed.TotalSeconds;
        double cpu = (server.Cpu - cpuBefore).TotalSeconds / seconds;
        double bench = (Process.GetCurrentProcess().TotalProcessorTime - benchBefore).TotalSeconds / seconds;
        long rssAfter = ProcStats.RssBytes(pid);
        int files = ProcStats.OpenFiles(pid);
        long? heapAfter = gateway ? null : await LiveHeapAsync(endpoint, deadline.Token).ConfigureAwait(false);
        if (server.HasExited)
        {
            throw new InvalidOperationException($"The {server.Name} exited during the measurement:{Environment.NewLine}{server.Tail()}");
        }

        return new DensityRun(
            idle.Held,
            idle.Failed,
            connectSeconds,
            rssBefore,
            rssAfter,
            idle.Held == 0 ? 0 : (rssAfter - rssBefore) / 1024.0 / idle.Held,
            seconds,
            cpu * 100,
            bench * 100,
            files,
            idle.Held - idle.Closed,
            heapAfter is { } after && heapBefore is { } before && idle.Held > 0 ? (after - before) / 1024.0 / idle.Held : null);
    }

    /// <summary>The bare server's live managed heap after a full collection (its <c>/_heap</c>; the gateway has no such endpoint).</summary>
    private static async Task<long> LiveHeapAsync(IPEndPoint endpoint, CancellationToken cancellationToken)
    {
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(30) };
        string text = await http.GetStringAsync(new Uri($"http://{endpoint}/_heap"), cancellationToken).ConfigureAwait(false);
        return long.Parse(text, CultureInfo.InvariantCulture);
    }

    /// <summary>One turn (gateway) and a few hundred connects, so the accept and session paths are compiled before the baseline.</summary>
    private static async Task WarmUpAsync(IPEndPoint endpoint, bool gateway, CancellationToken cancellationToken)
    {
        if (gateway)
        {
            WsConnection connection = await GatewayClient.OpenAsync(endpoint, null, 16 * 1024, cancellationToken).ConfigureAwait(false);
            await GatewayClient.RunTurnAsync(connection, "warm", "bench n=200 pace=0", null, 0, cancellationToken).ConfigureAwait(false);
            await GatewayClient.CloseAllAsync([connection]).ConfigureAwait(false);
        }

        await using IdleConnections idle = await IdleConnections.OpenAsync(endpoint, 300, 2, 8, ConnectTimeout, cancellationToken).ConfigureAwait(false);
    }

    private static async Task<CapacityProbe> ProbeCapacityAsync(BenchStack stack, int target)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(4));
        int pid = stack.Gateway.Pid;
        long limit = ProcStats.MaxOpenFiles(pid);
        int filesBefore = ProcStats.OpenFiles(pid);
        int peak = filesBefore;
        using var sampler = new Timer(_ => peak = Math.Max(peak, ProcStats.OpenFiles(pid)), null, 0, 250);

        int helperCount = target / 2;
        var helperLine = new TaskCompletionSource<string>(TaskCreationOptions.RunContinuationsAsynchronously);
        using ChildProcess helper = ChildProcess.Start("hold helper", Environment.ProcessPath ?? "dotnet",
            SelfProcess.Arguments("hold", "--port", stack.GatewayEndPoint.Port.ToString(CultureInfo.InvariantCulture), "--count", helperCount.ToString(CultureInfo.InvariantCulture), "--first-source", "10"),
            TimeSpan.FromMinutes(4),
            onLine: line =>
            {
                if (line.StartsWith("held ", StringComparison.Ordinal))
                {
                    helperLine.TrySetResult(line);
                }
            });

        IdleConnections mine = await IdleConnections.OpenAsync(stack.GatewayEndPoint, target - helperCount, 2, 8, ConnectTimeout, deadline.Token).ConfigureAwait(false);
        string helperResult = await helperLine.Task.WaitAsync(TimeSpan.FromMinutes(3)).ConfigureAwait(false);
        string[] parts = helperResult.Split(' ', 6);
        int helperHeld = int.Parse(parts[1], CultureInfo.InvariantCulture);
        int helperFailed = int.Parse(parts[3], CultureInfo.InvariantCulture);
        string? helperError = parts.Length > 5 && parts[5] != "-" ? parts[5] : null;
        await Task.Delay(1000).ConfigureAwait(false);
        peak = Math.Max(peak, ProcStats.OpenFiles(pid));
        int held = mine.Held + helperHeld;
        int failed = mine.Failed + helperFailed;
        string? firstError = mine.FirstError ?? helperError;

        // Let everything go, then check that the gateway recovered and still serves a turn.
        helper.StandardInput.WriteLine("stop");
        await mine.DisposeAsync().ConfigureAwait(false);
        helper.Dispose();
        bool servedAfter = false;
        await Task.Delay(2000).ConfigureAwait(false);
        try
        {
            WsConnection connection = await GatewayClient.OpenAsync(stack.GatewayEndPoint, null, 16 * 1024, deadline.Token).ConfigureAwait(false);
            TurnResult turn = await GatewayClient.RunTurnAsync(connection, "after", "bench n=100 pace=0", null, 0, deadline.Token).ConfigureAwait(false);
            servedAfter = turn.Error is null && turn.Chunks == 100;
            await GatewayClient.CloseAllAsync([connection]).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not OperationCanceledException)
        {
        }

        return new CapacityProbe(target, held, failed, limit, filesBefore, peak, firstError, servedAfter);
    }
}
