using System.Diagnostics;
using System.Globalization;

namespace LettaSockets.Bench.Harness;

/// <summary>
/// <c>dotnet-trace collect --profile dotnet-sampled-thread-time</c> on the gateway for the first 5 s of a
/// measurement (<c>--trace DIR</c>), written as .nettrace and speedscope JSON: where the gateway's time goes, stack by stack. dotnet-trace must be on the
/// PATH or in /tmp/tools (<c>dotnet tool install --tool-path /tmp/tools dotnet-trace</c>).
/// </summary>
internal sealed class GatewayTrace : IDisposable
{
    private readonly ChildProcess _trace;

    private GatewayTrace(ChildProcess trace) => _trace = trace;

    /// <summary>Environment the gateway needs for <c>--perf</c>: perf maps, so JIT-compiled frames have names.</summary>
    public static IReadOnlyDictionary<string, string>? GatewayEnvironment(BenchOptions options)
    {
        var environment = new Dictionary<string, string>();
        if (options.PerfDirectory is not null)
        {
            environment["DOTNET_PerfMapEnabled"] = "1";
            environment["DOTNET_EnableWriteXorExecute"] = "0";
        }

        if (Environment.GetEnvironmentVariable("BENCH_GATEWAY_ENV") is { Length: > 0 } extra)
        {
            // For experiments: BENCH_GATEWAY_ENV="DOTNET_TieredPGO=0;DOTNET_gcServer=0"
            foreach (string pair in extra.Split(';', StringSplitOptions.RemoveEmptyEntries))
            {
                string[] kv = pair.Split('=', 2);
                environment[kv[0]] = kv.Length > 1 ? kv[1] : "";
            }
        }

        return environment.Count == 0 ? null : environment;
    }

    public static async Task<GatewayTrace?> StartAsync(BenchOptions options, BenchStack stack, string name)
    {
        if (options.PerfDirectory is not null)
        {
            Directory.CreateDirectory(options.PerfDirectory);
            string data = Path.Combine(options.PerfDirectory, $"{name}.perf.data");
            for (int n = 2; File.Exists(data); n++)
            {
                data = Path.Combine(options.PerfDirectory, $"{name}-{n}.perf.data"); // e.g. the cold scenario's warmed window
            }

            ChildProcess perf = ChildProcess.Start("perf", "perf",
                ["record", "-F", "999", "-g", "-p", stack.Gateway.Pid.ToString(CultureInfo.InvariantCulture), "-o", data, "--", "sleep", options.ProfileSeconds.ToString(CultureInfo.InvariantCulture)],
                TimeSpan.FromMinutes(2));
            await Task.Delay(500).ConfigureAwait(false);
            Console.WriteLine($"  sampling the gateway with perf into {data} (perf report -i {data} --no-children --sort dso,sym)");
            return new GatewayTrace(perf);
        }

        if (options.TraceDirectory is null)
        {
            return null;
        }

        Directory.CreateDirectory(options.TraceDirectory);
        string tool = File.Exists("/tmp/tools/dotnet-trace") ? "/tmp/tools/dotnet-trace" : "dotnet-trace";
        string output = Path.Combine(options.TraceDirectory, $"{name}.nettrace");
        var started = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        ChildProcess trace = ChildProcess.Start("dotnet-trace", tool,
            ["collect", "-p", stack.Gateway.Pid.ToString(CultureInfo.InvariantCulture), "--profile", "dotnet-sampled-thread-time", "--format", "Speedscope", "--duration", TimeSpan.FromSeconds(options.ProfileSeconds).ToString(@"dd\:hh\:mm\:ss", CultureInfo.InvariantCulture), "-o", output],
            TimeSpan.FromMinutes(10),
            onLine: line =>
            {
                if (line.Contains("Recording trace", StringComparison.OrdinalIgnoreCase) || line.Contains("Process", StringComparison.Ordinal))
                {
                    started.TrySetResult();
                }
            });
        await started.Task.WaitAsync(TimeSpan.FromSeconds(20)).ConfigureAwait(false);
        await Task.Delay(1000).ConfigureAwait(false);
        Console.WriteLine($"  tracing the gateway into {output}");
        return new GatewayTrace(trace);
    }

    public void Dispose()
    {
        // The trace covers the first 5 s of the measurement; then dotnet-trace needs the process for the
        // rundown (method names) and converts to speedscope. Wait for that before killing it.
        var clock = Stopwatch.StartNew();
        while (!_trace.HasExited && clock.Elapsed < TimeSpan.FromMinutes(2))
        {
            Thread.Sleep(100);
        }

        _trace.Dispose();
    }
}
