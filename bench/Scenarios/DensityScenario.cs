using System.Diagnostics;
using System.Globalization;
using LettaSockets.Bench.Harness;
using LettaSockets.Bench.Load;
using LettaSockets.Bench.Report;

namespace LettaSockets.Bench.Scenarios;

/// <summary>
/// Density: N idle WebSocket connections (default 10,000) on a fresh gateway. Gateway RSS per connection
/// is (VmRSS with them − VmRSS before) / N after they settled; idle CPU is the gateway's CPU over a quiet
/// window with all of them open. Then the capacity probe tries to hold 20,000 at once, with its client
/// side split over this process and a helper process (each process may own at most RLIMIT_NOFILE
/// sockets), and reports how many the gateway held, against its own open-files limit.
/// </summary>
internal static class DensityScenario
{
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);

    public static async Task<DensitySection> RunAsync(BenchOptions options)
    {
        int connections = options.Quick ? Math.Min(options.IdleConnections, 2_000) : options.IdleConnections;
        double idleSeconds = options.Quick ? 3 : 10;
        var section = new DensitySection { MeasuredAt = DateTimeOffset.UtcNow, Connections = connections };
        for (int run = 0; run < options.Runs; run++)
        {
            using BenchStack stack = await BenchStack.StartAsync(options).ConfigureAwait(false);
            DensityRun result = await MeasureAsync(stack, connections, idleSeconds).ConfigureAwait(false);
            section.Runs.Add(result);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  density run {run + 1}: {result.Held:N0} held ({result.Failed} failed, {result.StillOpenAfterIdle:N0} open after idle) in {result.ConnectSeconds:F1} s; RSS {result.RssBeforeBytes / 1048576.0:F1} → {result.RssAfterBytes / 1048576.0:F1} MiB = {result.RssPerConnectionKiB:F2} KiB/connection; idle CPU {result.IdleCpuPercent:F2} % of a core"));
        }

        if (options.CapacityTarget > 0 && !options.Quick)
        {
            using BenchStack stack = await BenchStack.StartAsync(options).ConfigureAwait(false);
            section.Capacity = await ProbeCapacityAsync(stack, options.CapacityTarget).ConfigureAwait(false);
            CapacityProbe c = section.Capacity;
            Console.WriteLine($"  capacity: {c.Held:N0} of {c.Target:N0} held ({c.Failed:N0} failed: {c.FirstError ?? "-"}); gateway open files {c.GatewayOpenFilesBefore} → {c.GatewayOpenFilesPeak} of a limit of {c.GatewayMaxOpenFiles}; serves after: {c.GatewayServedAfter}");
        }

        return section;
    }

    private static async Task<DensityRun> MeasureAsync(BenchStack stack, int count, double idleSeconds)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        await WarmUpAsync(stack, deadline.Token).ConfigureAwait(false);
        await Task.Delay(1000).ConfigureAwait(false);
        int pid = stack.Gateway.Pid;
        long rssBefore = ProcStats.RssBytes(pid);

        var clock = Stopwatch.StartNew();
        await using IdleConnections idle = await IdleConnections.OpenAsync(stack.GatewayEndPoint, count, 2, 8, ConnectTimeout, deadline.Token).ConfigureAwait(false);
        double connectSeconds = clock.Elapsed.TotalSeconds;
        await Task.Delay(2000).ConfigureAwait(false); // let the accept burst settle

        var meter = new CpuMeter(stack, gatewayInPath: true);
        meter.Start();
        await Task.Delay(TimeSpan.FromSeconds(idleSeconds)).ConfigureAwait(false);
        CpuUse cpu = meter.Stop();
        long rssAfter = ProcStats.RssBytes(pid);
        int files = ProcStats.OpenFiles(pid);
        stack.EnsureAlive();
        return new DensityRun(
            idle.Held,
            idle.Failed,
            connectSeconds,
            rssBefore,
            rssAfter,
            idle.Held == 0 ? 0 : (rssAfter - rssBefore) / 1024.0 / idle.Held,
            cpu.WallSeconds,
            cpu.GatewayCores * 100,
            cpu.BenchCores * 100,
            files,
            idle.Held - idle.Closed);
    }

    /// <summary>One turn and a few hundred connects, so the accept and session paths are compiled before the baseline.</summary>
    private static async Task WarmUpAsync(BenchStack stack, CancellationToken cancellationToken)
    {
        WsConnection connection = await GatewayClient.OpenAsync(stack.GatewayEndPoint, null, 16 * 1024, cancellationToken).ConfigureAwait(false);
        await GatewayClient.RunTurnAsync(connection, "warm", "bench n=200 pace=0", null, 0, cancellationToken).ConfigureAwait(false);
        await GatewayClient.CloseAllAsync([connection]).ConfigureAwait(false);
        await using IdleConnections idle = await IdleConnections.OpenAsync(stack.GatewayEndPoint, 300, 2, 8, ConnectTimeout, cancellationToken).ConfigureAwait(false);
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
            HelperArguments(stack.GatewayEndPoint.Port, helperCount),
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

    private static IEnumerable<string> HelperArguments(int port, int count)
    {
        // Started the way this process was: the apphost, or `dotnet LettaSockets.Bench.dll`.
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            yield return typeof(DensityScenario).Assembly.Location;
        }

        foreach (string a in new[] { "hold", "--port", port.ToString(CultureInfo.InvariantCulture), "--count", count.ToString(CultureInfo.InvariantCulture), "--first-source", "10" })
        {
            yield return a;
        }
    }
}
