using System.Diagnostics;

namespace LettaSockets.Bench.Harness;

/// <summary>Builds the gateway (and with it the simulator) in Release into the bench's own artifacts path.</summary>
internal static class Builder
{
    /// <summary>The gateway the bench runs: its own Release build, or for an experiment another build of it
    /// (<c>BENCH_GATEWAY_DLL</c>, e.g. a ReadyToRun publish).</summary>
    public static string GatewayDll(BenchOptions options) =>
        Environment.GetEnvironmentVariable("BENCH_GATEWAY_DLL") is { Length: > 0 } other ? other : Output(options, "LettaSockets.Server");

    public static string SimulatorDll(BenchOptions options) => Output(options, "LettaSockets.Simulator");

    public static void Build(BenchOptions options)
    {
        if (!options.Build)
        {
            Require(GatewayDll(options));
            Require(SimulatorDll(options));
            return;
        }

        string project = Path.Combine(Repository.Root, "src", "Server", "LettaSockets.Server.csproj");
        Console.WriteLine($"Building the gateway and simulator (Release) into {options.ArtifactsPath} …");
        var info = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Repository.Root,
        };
        foreach (string a in new[] { "build", project, "-c", "Release", "--artifacts-path", options.ArtifactsPath, "-nologo", "-v", "q", "-clp:ErrorsOnly" })
        {
            info.ArgumentList.Add(a);
        }

        using Process build = Process.Start(info)!;
        Task<string> output = build.StandardOutput.ReadToEndAsync();
        Task<string> errors = build.StandardError.ReadToEndAsync();
        if (!build.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            build.Kill(entireProcessTree: true);
            throw new TimeoutException("The build took more than 5 minutes.");
        }

        if (build.ExitCode != 0)
        {
            throw new InvalidOperationException($"The build failed:{Environment.NewLine}{output.Result}{errors.Result}");
        }

        Require(GatewayDll(options));
        Require(SimulatorDll(options));
    }

    private static string Output(BenchOptions options, string project) =>
        Path.Combine(options.ArtifactsPath, "bin", project, "release", project + ".dll");

    private static void Require(string path)
    {
        if (!File.Exists(path))
        {
            throw new FileNotFoundException($"Not built: {path} (run without --no-build).", path);
        }
    }
}
