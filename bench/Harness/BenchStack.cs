using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace LettaSockets.Bench.Harness;

/// <summary>
/// The simulator (a stand-in Letta) and the gateway in front of it, each in its own Release process on
/// loopback, started fresh for a scenario and killed when it ends.
/// </summary>
internal sealed class BenchStack : IDisposable
{
    private static readonly TimeSpan MaxLifetime = TimeSpan.FromMinutes(20);
    private static readonly HttpClient Probe = new() { Timeout = TimeSpan.FromSeconds(2) };

    /// <summary>
    /// The gateway's abuse limits are for the open internet; one load generator on loopback opens up to
    /// 20,000 connections from a handful of addresses and starts turns back to back, so they are
    /// raised. Everything else runs with the shipped settings.
    /// </summary>
    private static readonly string[] RelaxedLimits =
    [
        "--Limits:MaxConnections=1000000",
        "--Limits:MaxConnectionsPerIp=1000000",
        "--Limits:MessagesPerMinute=100000000",
        "--Limits:MessageBurst=1000000",
    ];

    private BenchStack(ChildProcess simulator, int simulatorPort, ChildProcess gateway, int gatewayPort, string jitLogs)
    {
        JitLogs = jitLogs;
        Simulator = simulator;
        SimulatorUrl = new Uri($"http://127.0.0.1:{simulatorPort}/");
        Gateway = gateway;
        GatewayEndPoint = new IPEndPoint(IPAddress.Loopback, gatewayPort);
    }

    public ChildProcess Simulator { get; }

    public Uri SimulatorUrl { get; }

    public ChildProcess Gateway { get; }

    public IPEndPoint GatewayEndPoint { get; }

    /// <summary>Folder where both processes list every method the JIT compiles (<c>DOTNET_JitStdOutFile</c>), so a warm-up can tell when tiered compilation has settled.</summary>
    public string JitLogs { get; }

    /// <summary>Methods compiled so far by the gateway and the simulator together.</summary>
    public long MethodsCompiled => Directory.EnumerateFiles(JitLogs).Sum(f => new FileInfo(f).Length);

    /// <param name="gatewayArguments">Settings a scenario changes on purpose (e.g. <c>--Sockets:Compression=true</c>).</param>
    /// <summary>Seconds from starting the gateway process until its <c>/readyz</c> first answered 200.</summary>
    public double GatewayReadySeconds { get; private init; }

    /// <param name="build">The gateway build to run (default: the bench's <c>--jit</c> choice).</param>
    /// <param name="jitLog">List compiled methods (for warm-ups that watch tiering); off for cold starts, which it would slow.</param>
    public static async Task<BenchStack> StartAsync(BenchOptions options, IReadOnlyDictionary<string, string>? gatewayEnvironment = null, IReadOnlyList<string>? gatewayArguments = null, bool jitLog = true, GatewayBuild? build = null)
    {
        int simulatorPort = FreePort.Next();
        string jitLogs = Path.Combine(options.ArtifactsPath, "jit", simulatorPort.ToString(CultureInfo.InvariantCulture));
        Directory.CreateDirectory(jitLogs);
        ChildProcess simulator = ChildProcess.Start("simulator", "dotnet",
            [Builder.SimulatorDll(options), "--host", "127.0.0.1", "--port", simulatorPort.ToString(CultureInfo.InvariantCulture)],
            MaxLifetime,
            new Dictionary<string, string>(jitLog ? JitLog(jitLogs, "simulator") : []) { ["Logging__LogLevel__Default"] = "Warning" });
        ChildProcess? gateway = null;
        try
        {
            await WaitUntilAsync(simulator, new Uri($"http://127.0.0.1:{simulatorPort}/_sim/journal")).ConfigureAwait(false);
            int gatewayPort = FreePort.Next();
            var environment = jitLog ? new Dictionary<string, string>(JitLog(jitLogs, "gateway")) : [];
            foreach ((string key, string value) in gatewayEnvironment ?? new Dictionary<string, string>())
            {
                environment[key] = value;
            }

            (string program, string[] leading) = Builder.GatewayCommand(options, build ?? options.Gateway);
            gateway = ChildProcess.Start("gateway", program,
            [
                .. leading,
                "--urls", $"http://127.0.0.1:{gatewayPort}",
                $"--Letta:BaseUrl=http://127.0.0.1:{simulatorPort}",
                "--Logging:LogLevel:Default=Warning",
                .. RelaxedLimits,
                .. gatewayArguments ?? [],
            ], MaxLifetime, environment);
            var starting = Stopwatch.StartNew();
            await WaitUntilAsync(gateway, new Uri($"http://127.0.0.1:{gatewayPort}/readyz"), TimeSpan.FromMilliseconds(5)).ConfigureAwait(false);
            double readySeconds = starting.Elapsed.TotalSeconds;
            await WaitUntilAsync(gateway, new Uri($"http://127.0.0.1:{gatewayPort}/api/agents")).ConfigureAwait(false);
            return new BenchStack(simulator, simulatorPort, gateway, gatewayPort, jitLogs) { GatewayReadySeconds = readySeconds };
        }
        catch
        {
            gateway?.Dispose();
            simulator.Dispose();
            throw;
        }
    }

    /// <summary>Fails with the process's own words when it crashed during a measurement.</summary>
    public void EnsureAlive()
    {
        foreach (ChildProcess process in new[] { Simulator, Gateway })
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The {process.Name} exited during the measurement:{Environment.NewLine}{process.Tail()}");
            }
        }
    }

    public void Dispose()
    {
        Gateway.Dispose();
        Simulator.Dispose();
        try
        {
            Directory.Delete(JitLogs, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    /// <summary>One line per compiled method into a file: diagnostics output only, no effect on the code.</summary>
    private static Dictionary<string, string> JitLog(string folder, string name) => new()
    {
        ["DOTNET_JitStdOutFile"] = Path.Combine(folder, name + ".txt"),
        ["DOTNET_JitDisasmSummary"] = "1",
    };

    private static async Task WaitUntilAsync(ChildProcess process, Uri url, TimeSpan? poll = null)
    {
        var clock = Stopwatch.StartNew();
        while (clock.Elapsed < TimeSpan.FromSeconds(30))
        {
            if (process.HasExited)
            {
                throw new InvalidOperationException($"The {process.Name} exited during start-up:{Environment.NewLine}{process.Tail()}");
            }

            try
            {
                using HttpResponseMessage response = await Probe.GetAsync(url).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException)
            {
            }

            await Task.Delay(poll ?? TimeSpan.FromMilliseconds(50)).ConfigureAwait(false);
        }

        throw new TimeoutException($"The {process.Name} did not answer {url} within 30 s:{Environment.NewLine}{process.Tail()}");
    }
}
