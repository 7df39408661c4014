using System.Diagnostics;

namespace LettaSockets.Bench.Harness;

/// <summary>The two builds of the gateway a user can run.</summary>
internal enum GatewayBuild
{
    /// <summary>What <c>dotnet publish src/Server</c> ships: one native executable (Native AOT).</summary>
    Native,

    /// <summary>The framework-dependent build <c>dotnet run</c> and <c>dotnet build</c> make, JIT-compiled.</summary>
    Jit,
}

/// <summary>
/// Builds the gateway and the simulator in Release into the bench's own artifacts path, and publishes the
/// gateway's native executable there: the deployable artefact (docs/DEPLOYMENT.md) is what the bench measures.
/// </summary>
internal static class Builder
{
    /// <summary>The framework-dependent gateway: its own Release build, or for an experiment another build of it
    /// (<c>BENCH_GATEWAY_DLL</c>, e.g. a ReadyToRun publish).</summary>
    public static string GatewayDll(BenchOptions options) =>
        Environment.GetEnvironmentVariable("BENCH_GATEWAY_DLL") is { Length: > 0 } other ? other : Output(options, "LettaSockets.Server");

    /// <summary>The native gateway: the bench's own publish, or for an experiment another executable
    /// (<c>BENCH_GATEWAY_EXE</c>, e.g. one published with other ILC settings).</summary>
    public static string GatewayExecutable(BenchOptions options) =>
        Environment.GetEnvironmentVariable("BENCH_GATEWAY_EXE") is { Length: > 0 } other ? other : Path.Combine(NativeFolder(options), "LettaSockets.Server");

    public static string SimulatorDll(BenchOptions options) => Output(options, "LettaSockets.Simulator");

    /// <summary>The bare relay published like the gateway (one native executable): the cold scenario's floor.</summary>
    public static string RelayExecutable(BenchOptions options) => Path.Combine(options.ArtifactsPath, "native-relay", "LettaSockets.BareRelay");

    /// <summary>The bare relay's arguments: the simulator, plus <c>BENCH_RELAY_ARGS</c> (space-separated) for experiments.</summary>
    public static string[] RelayArguments(Uri simulator) =>
        ["--simulator", simulator.ToString(), .. (Environment.GetEnvironmentVariable("BENCH_RELAY_ARGS") ?? "").Split(' ', StringSplitOptions.RemoveEmptyEntries)];

    /// <summary>The program and leading arguments that start the gateway, with its own folder as the content root
    /// (the README's advice), so it reads the <c>appsettings.json</c> shipped beside it, not whatever the
    /// working directory holds.</summary>
    public static (string Program, string[] Leading) GatewayCommand(BenchOptions options, GatewayBuild build)
    {
        string file = build == GatewayBuild.Native ? GatewayExecutable(options) : GatewayDll(options);
        string contentRoot = $"--contentRoot={Path.GetDirectoryName(file)}";
        return build == GatewayBuild.Native ? (file, [contentRoot]) : ("dotnet", [file, contentRoot]);
    }

    public static void Build(BenchOptions options)
    {
        if (options.Build)
        {
            string project = Path.Combine(Repository.Root, "src", "Server", "LettaSockets.Server.csproj");
            Console.WriteLine($"Building the gateway and simulator (Release) into {options.ArtifactsPath} …");
            Run(["build", project, "-c", "Release", "--artifacts-path", options.ArtifactsPath, "-nologo", "-v", "q", "-clp:ErrorsOnly"]);
            Console.WriteLine($"Publishing the gateway's native executable into {NativeFolder(options)} …");
            Run(["publish", project, "-c", "Release", "-r", "linux-x64", "-o", NativeFolder(options), "-nologo", "-v", "q", "-clp:ErrorsOnly"]);
            Console.WriteLine($"Publishing the bare relay's native executable into {Path.GetDirectoryName(RelayExecutable(options))} …");
            Run(["publish", Path.Combine(Repository.Root, "bench", "BareRelay", "LettaSockets.BareRelay.csproj"), "-c", "Release", "-r", "linux-x64",
                "-o", Path.GetDirectoryName(RelayExecutable(options))!, "-nologo", "-v", "q", "-clp:ErrorsOnly"]);
        }

        Require(GatewayDll(options));
        Require(GatewayExecutable(options));
        Require(SimulatorDll(options));
        Require(RelayExecutable(options));
    }

    private static void Run(string[] arguments)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = Repository.Root,
        };
        foreach (string a in arguments)
        {
            info.ArgumentList.Add(a);
        }

        using Process build = Process.Start(info)!;
        Task<string> output = build.StandardOutput.ReadToEndAsync();
        Task<string> errors = build.StandardError.ReadToEndAsync();
        if (!build.WaitForExit(TimeSpan.FromMinutes(5)))
        {
            build.Kill(entireProcessTree: true);
            throw new TimeoutException($"dotnet {arguments[0]} took more than 5 minutes.");
        }

        if (build.ExitCode != 0)
        {
            throw new InvalidOperationException($"dotnet {arguments[0]} failed:{Environment.NewLine}{output.Result}{errors.Result}");
        }
    }

    private static string NativeFolder(BenchOptions options) => Path.Combine(options.ArtifactsPath, "native");

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
