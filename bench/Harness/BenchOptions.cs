using System.Globalization;

namespace LettaSockets.Bench.Harness;

/// <summary>Command line: <c>&lt;scenario…&gt; [--runs N] [--artifacts DIR] [--no-build] [--quick] [--no-doc]</c>.</summary>
internal sealed class BenchOptions
{
    public static readonly string[] Scenarios = ["throughput", "latency", "direct", "density", "memory", "cancel", "micro", "appserver", "cold", "scope", "turnstart"];

    public HashSet<string> Selected { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Repetitions of every measurement (the tables show min / median / max).</summary>
    public int Runs { get; private set; } = 3;

    /// <summary>Where the gateway and simulator are built (never the shared obj/ folders).</summary>
    public string ArtifactsPath { get; private set; } = Path.Combine(Path.GetTempPath(), "art-bench");

    public bool Build { get; private set; } = true;

    /// <summary>Shorter measurements, for trying the harness; results are not written to the docs.</summary>
    public bool Quick { get; private set; }

    public bool WriteDoc { get; private set; } = true;

    /// <summary>Density: connections held idle (the goal's 10,000), and the capacity probe's target.</summary>
    public int IdleConnections { get; private set; } = 10_000;

    public int CapacityTarget { get; private set; } = 20_000;

    /// <summary>When set, the gateway is traced (dotnet-trace, sampled thread time) during the measured throughput runs.</summary>
    public string? TraceDirectory { get; private set; }

    /// <summary>When set, the gateway is sampled with Linux perf (on-CPU, kernel included) during the measured throughput runs.</summary>
    public string? PerfDirectory { get; private set; }

    /// <summary>Memory: only these kinds (<c>--memory-kinds streaming,idle</c>); all when empty. For experiments:
    /// a run with a subset replaces the memory section of latest.json with that subset.</summary>
    public HashSet<string> MemoryKinds { get; } = new(StringComparer.OrdinalIgnoreCase);

    /// <summary>Latency: print where in each gateway measurement its slow deltas fell (<c>--timeline</c>).</summary>
    public bool Timeline { get; private set; }

    /// <summary>How long <c>--trace</c> / <c>--perf</c> record, from the start of a measurement.</summary>
    public int ProfileSeconds { get; private set; } = 5;

    /// <summary>Throughput: turns each of the 16 connections runs back to back in one measurement.</summary>
    public int TurnsPerConnection { get; private set; } = 48;

    /// <summary>Latency: the levels of concurrent turns measured.</summary>
    public int[] LatencyLevels { get; private set; } = [32, 256, 1024];

    public string[] Raw { get; private set; } = [];

    /// <summary>Which build of the gateway runs: the shipped artefact (the native executable <c>dotnet publish</c>
    /// makes) or, with <c>--jit</c>, the framework-dependent build (<c>dotnet run</c>'s, JIT-compiled).</summary>
    public GatewayBuild Gateway { get; private set; } = GatewayBuild.Native;

    /// <summary>Cold: which measurements to run (<c>throughput</c>, <c>latency</c>, <c>cancel</c>); all by default.</summary>
    public HashSet<string> ColdParts { get; private set; } = new(["throughput", "latency", "cancel"], StringComparer.OrdinalIgnoreCase);

    public static BenchOptions Parse(string[] args)
    {
        var options = new BenchOptions { Raw = args };
        for (int i = 0; i < args.Length; i++)
        {
            string arg = args[i];
            switch (arg)
            {
                case "all":
                    foreach (string s in Scenarios)
                    {
                        options.Selected.Add(s);
                    }

                    break;
                case "report":
                    options.Selected.Add("report");
                    break;
                case "--runs":
                    options.Runs = Math.Clamp(int.Parse(args[++i], CultureInfo.InvariantCulture), 1, 10);
                    break;
                case "--artifacts":
                    options.ArtifactsPath = Path.GetFullPath(args[++i]);
                    break;
                case "--cold-parts":
                    options.ColdParts = new HashSet<string>(args[++i].Split(','), StringComparer.OrdinalIgnoreCase);
                    break;
                case "--jit":
                    options.Gateway = GatewayBuild.Jit;
                    break;
                case "--no-build":
                    options.Build = false;
                    break;
                case "--quick":
                    options.Quick = true;
                    break;
                case "--no-doc":
                    options.WriteDoc = false;
                    break;
                case "--memory-kinds":
                    foreach (string kind in args[++i].Split(',', StringSplitOptions.RemoveEmptyEntries | StringSplitOptions.TrimEntries))
                    {
                        options.MemoryKinds.Add(kind);
                    }

                    break;
                case "--timeline":
                    options.Timeline = true;
                    break;
                case "--connections":
                    options.IdleConnections = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--trace":
                    options.TraceDirectory = Path.GetFullPath(args[++i]);
                    break;
                case "--perf":
                    options.PerfDirectory = Path.GetFullPath(args[++i]);
                    break;
                case "--profile-seconds":
                    options.ProfileSeconds = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--turns-per-connection":
                    options.TurnsPerConnection = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                case "--latency-turns":
                    options.LatencyLevels = args[++i].Split(',').Select(v => int.Parse(v, CultureInfo.InvariantCulture)).ToArray();
                    break;
                case "--capacity":
                    options.CapacityTarget = int.Parse(args[++i], CultureInfo.InvariantCulture);
                    break;
                default:
                    if (!Scenarios.Contains(arg, StringComparer.OrdinalIgnoreCase))
                    {
                        throw new ArgumentException($"Unknown argument '{arg}'.");
                    }

                    options.Selected.Add(arg);
                    break;
            }
        }

        if (options.Selected.Count == 0)
        {
            throw new ArgumentException("Say what to run.");
        }

        return options;
    }

    public static string Usage => """
        Usage: dotnet run -c Release --project bench -- <all|throughput|latency|direct|density|memory|cancel|micro|appserver|cold|scope|turnstart|report>... [options]
          report            only regenerate docs/BENCHMARKS.md and the chart from bench/results/latest.json
          --runs N          repetitions of each measurement (default 3)
          --artifacts DIR   where the gateway and simulator are built (default /tmp/art-bench)
          --no-build        use what is already built there
          --cold-parts LIST cold: only these of throughput,latency,cancel
          --jit             run the framework-dependent (JIT) gateway instead of the native executable it ships as
          --quick           short measurements to try the harness (not written to docs/BENCHMARKS.md)
          --no-doc          write bench/results/*.json only
          --connections N   idle connections in the density scenario (default 10000)
          --capacity N      connections the capacity probe tries to hold (default 20000; 0 = skip)
          --trace DIR       trace the gateway with dotnet-trace (CPU sampling) during the throughput runs
        """;
}
