using System.Runtime.InteropServices;

namespace LettaSockets.Testing;

/// <summary>
/// The gateway as it ships: the native executable (Native AOT) that
/// <c>dotnet publish src/Server -c Release -r linux-x64</c> builds (<c>eng/publish-native.sh</c>).
/// <c>LETTASOCKETS_NATIVE_GATEWAY</c> names one already published (<c>.ci/run</c> does that before the tests);
/// otherwise it is published once per test run into a temporary folder. Where it cannot be built (not
/// linux-x64, no clang) the tests that need it report as skipped.
/// </summary>
public static class NativeGateway
{
    public const string EnvironmentVariable = "LETTASOCKETS_NATIVE_GATEWAY";

    private static readonly TimeSpan s_publishTimeout = TimeSpan.FromMinutes(10);
    private static readonly Lazy<Task<string>> s_executable = new(NativeOnlyAsync);
    private static readonly Lazy<string> s_workingDirectory = new(() => Temporary("lettasockets-native-run-"));

    /// <summary>The executable's path (published on first use when not given).</summary>
    public static Task<string> ExecutableAsync() => s_executable.Value;

    private static async Task<string> NativeOnlyAsync()
    {
        string executable = await FindOrPublishAsync();
        // A framework-dependent publish (PublishAot off) leaves an apphost of the same name beside its dll.
        return File.Exists(Path.ChangeExtension(executable, ".dll"))
            ? throw new AssertFailedException($"{executable} is not a native executable: LettaSockets.Server.dll lies beside it (is PublishAot off in src/Server?).")
            : executable;
    }

    /// <summary>Starts the native gateway the way a deployment runs it and waits until it listens: from a
    /// working directory outside any checkout (so it serves the wwwroot published beside it, not the
    /// repository's) with its own folder as content root (its appsettings.json).</summary>
    public static async Task<GatewayProcess> StartAsync(params string[] args)
    {
        string executable = await ExecutableAsync();
        return await GatewayProcess.StartAsync([.. Arguments(executable, args)], executable, s_workingDirectory.Value);
    }

    /// <summary>Starts the native gateway without waiting for anything (for starts that are meant to fail).</summary>
    public static async Task<ChildProcess> RunAsync(params string[] args)
    {
        string executable = await ExecutableAsync();
        return ChildProcess.Start(executable, Arguments(executable, args), s_workingDirectory.Value);
    }

    private static IEnumerable<string> Arguments(string executable, string[] args) =>
        [$"--contentRoot={Path.GetDirectoryName(executable)}", .. args];

    private static async Task<string> FindOrPublishAsync()
    {
        if (Environment.GetEnvironmentVariable(EnvironmentVariable) is { Length: > 0 } given)
        {
            return File.Exists(given) ? Path.GetFullPath(given) : throw new AssertFailedException($"{EnvironmentVariable} names {given}, which does not exist.");
        }

        if (!OperatingSystem.IsLinux() || RuntimeInformation.OSArchitecture != Architecture.X64)
        {
            Assert.Inconclusive($"The native gateway is published for linux-x64 only (this is {RuntimeInformation.RuntimeIdentifier}): skipped.");
        }

        if (!OnPath("clang"))
        {
            Assert.Inconclusive("clang is not installed, and Native AOT links with it (apt-get install clang zlib1g-dev; .ci/run installs them): skipped.");
        }

        string root = RepositoryRoot()
            ?? throw new AssertInconclusiveException($"The repository (LettaSockets.sln) is not above {AppContext.BaseDirectory}, so the gateway cannot be published; set {EnvironmentVariable}: skipped.");
        string output = Temporary("lettasockets-native-");
        string[] publish = ["publish", Path.Combine(root, "src", "Server"), "-c", "Release", "-r", "linux-x64", "-o", output];
        await using ChildProcess dotnet = ChildProcess.Start("dotnet", publish, root);
        using var timeout = new CancellationTokenSource(s_publishTimeout);
        try
        {
            await dotnet.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            throw new AssertFailedException($"dotnet {string.Join(' ', publish)} took over {s_publishTimeout.TotalMinutes} minutes:\n{Tail(dotnet.Output)}");
        }

        string executable = Path.Combine(output, "LettaSockets.Server");
        return dotnet.ExitCode == 0 && File.Exists(executable)
            ? executable
            : throw new AssertFailedException($"dotnet {string.Join(' ', publish)} failed (exit {dotnet.ExitCode}):\n{Tail(dotnet.Output)}");
    }

    private static string Tail(string output) => string.Join('\n', output.Split('\n').TakeLast(40));

    private static bool OnPath(string program) =>
        (Environment.GetEnvironmentVariable("PATH") ?? "").Split(Path.PathSeparator, StringSplitOptions.RemoveEmptyEntries)
            .Any(dir => File.Exists(Path.Combine(dir, program)));

    private static string? RepositoryRoot()
    {
        for (DirectoryInfo? dir = new(AppContext.BaseDirectory); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LettaSockets.sln")))
            {
                return dir.FullName;
            }
        }

        return null;
    }

    /// <summary>A fresh temporary folder, deleted when the test run ends.</summary>
    private static string Temporary(string prefix)
    {
        string path = Directory.CreateTempSubdirectory(prefix).FullName;
        AppDomain.CurrentDomain.ProcessExit += (_, _) =>
        {
            try
            {
                Directory.Delete(path, recursive: true);
            }
            catch (IOException)
            {
            }
            catch (UnauthorizedAccessException)
            {
            }
        };
        return path;
    }
}
