using System.Diagnostics;
using LettaSockets.Bench.Harness;
using LettaSockets.Bench.Report;
using LettaSockets.Bench.Micro;
using LettaSockets.Bench.Scenarios;

namespace LettaSockets.Bench;

/// <summary>Runs the selected scenarios, stores their results and regenerates docs/BENCHMARKS.md.</summary>
internal static class BenchProgram
{
    public static async Task<int> MainAsync(string[] args)
    {
        if (args.Length > 0 && args[0] == "hold")
        {
            return await HoldCommand.RunAsync(args).ConfigureAwait(false);
        }

        if (args.Length > 0 && args[0] == "bare-server")
        {
            return await BareServerCommand.RunAsync(args).ConfigureAwait(false);
        }

        if (args.Length > 0 && args[0] == "churn")
        {
            return await ChurnCommand.RunAsync(args).ConfigureAwait(false);
        }

        if (args.Length > 0 && args[0] == "bare-relay")
        {
            return await BareRelay.Relay.RunAsync(args).ConfigureAwait(false);
        }

        BenchOptions options;
        try
        {
            options = BenchOptions.Parse(args);
        }
        catch (Exception e) when (e is ArgumentException or FormatException or IndexOutOfRangeException)
        {
            Console.Error.WriteLine(e.Message);
            Console.Error.WriteLine(BenchOptions.Usage);
            return 2;
        }

        var clock = Stopwatch.StartNew();
        ResultStore store = ResultStore.Load();
        BenchResults results = store.Results;
        if (options.Selected.SetEquals(["report"]))
        {
            DocWriter.Write(results);
            Console.WriteLine($"Updated {Repository.BenchmarksDoc} and {ChartWriter.ChartPath} from {ResultStore.LatestPath}");
            return 0;
        }

        results.Machine = MachineProbe.Read();
        results.Arguments = options.Raw;
        results.GatewayEnvironment = Environment.GetEnvironmentVariable("BENCH_GATEWAY_ENV") ?? "";
        Console.WriteLine($"Machine: {results.Machine.Cores} cores, {results.Machine.CpuModel}, {results.Machine.MemoryGiB:F1} GiB, .NET {results.Machine.DotnetVersion}");

        bool needsStack = options.Selected.Overlaps(["throughput", "latency", "direct", "density", "memory", "cancel", "appserver", "cold", "scope", "turnstart"]);
        if (needsStack)
        {
            Builder.Build(options);
        }

        bool gateway = options.Selected.Contains("throughput");
        bool direct = options.Selected.Contains("direct") || gateway;
        bool latencyGateway = options.Selected.Contains("latency");
        bool latencyDirect = options.Selected.Contains("direct") || latencyGateway;
        bool cancel = options.Selected.Contains("cancel");
        if (direct || latencyDirect || cancel)
        {
            // One stack for these scenarios, warmed up once until tiered compilation settled.
            using BenchStack stack = await BenchStack.StartAsync(options, GatewayTrace.GatewayEnvironment(options)).ConfigureAwait(false);
            await WarmUp.RunAsync(stack).ConfigureAwait(false);
            if (direct)
            {
                Console.WriteLine("Throughput …");
                results.Throughput = await ThroughputScenario.RunAsync(options, stack, gateway, direct).ConfigureAwait(false);
            }

            if (latencyDirect)
            {
                Console.WriteLine("Latency …");
                results.Latency = await LatencyScenario.RunAsync(options, stack, latencyGateway, latencyDirect).ConfigureAwait(false);
            }

            if (cancel)
            {
                Console.WriteLine("Cancel …");
                results.Cancel = await CancelScenario.RunAsync(options, stack).ConfigureAwait(false);
            }
        }

        if (options.Selected.Contains("density"))
        {
            Console.WriteLine("Density …");
            results.Density = await DensityScenario.RunAsync(options).ConfigureAwait(false);
        }

        if (options.Selected.Contains("memory"))
        {
            Console.WriteLine("Memory per unit …");
            results.Memory = await MemoryScenario.RunAsync(options).ConfigureAwait(false);
        }

        if (options.Selected.Contains("cold"))
        {
            Console.WriteLine("Cold start …");
            ColdSection? before = results.Cold;
            results.Cold = await ColdScenario.RunAsync(options).ConfigureAwait(false);
            if (before is not null)
            {
                // A run of some parts (--cold-parts) keeps the figures of the parts it did not measure.
                if (!options.ColdParts.Contains("throughput"))
                {
                    results.Cold.Runs = before.Runs;
                }

                if (!options.ColdParts.Contains("latency"))
                {
                    results.Cold.Latency = before.Latency;
                }

                if (!options.ColdParts.Contains("cancel"))
                {
                    results.Cold.Cancel = before.Cancel;
                }
            }
        }

        if (options.Selected.Contains("scope"))
        {
            Console.WriteLine("Scopes on objects …");
            results.Scope = await ScopeScenario.RunAsync(options).ConfigureAwait(false);
        }

        if (options.Selected.Contains("turnstart"))
        {
            Console.WriteLine("CPU per turn start …");
            results.TurnStartCpu = await TurnStartCpuScenario.RunAsync(options).ConfigureAwait(false);
        }

        if (options.Selected.Contains("appserver"))
        {
            Console.WriteLine("App Server upstream …");
            results.AppServer = await AppServerScenario.RunAsync(options).ConfigureAwait(false) ?? results.AppServer;
        }

        if (options.Selected.Contains("micro"))
        {
            Console.WriteLine("Micro-benchmarks (BenchmarkDotNet, in process) …");
            results.Micro = MicroRunner.Run(options);
        }

        if (options.Quick)
        {
            Console.WriteLine($"Quick run: results not stored ({clock.Elapsed.TotalSeconds:F0} s).");
            return 0;
        }

        string saved = store.Save();
        Console.WriteLine($"Results: {saved}");
        if (options.WriteDoc)
        {
            DocWriter.Write(results);
            Console.WriteLine($"Updated {Repository.BenchmarksDoc} and {ChartWriter.ChartPath}");
        }

        Console.WriteLine($"Done in {clock.Elapsed.TotalSeconds:F0} s.");
        return 0;
    }
}
