using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json;

namespace LettaSockets.Simulator.Tests.TestSupport;

/// <summary>
/// Letta's TypeScript SDK (npm <c>@letta-ai/letta-client</c>, pinned in <c>test/Simulator/sdk/package.json</c>), installed
/// by <c>eng/install-letta-client.sh</c> into a cache folder, and node scripts that use it. Without node or npm, or
/// when the install fails (no registry), the calling test is inconclusive with the reason.
/// </summary>
internal static class LettaClientSdk
{
    public const string Version = "1.12.1";

    private static readonly TimeSpan s_installTimeout = TimeSpan.FromMinutes(5);

    /// <summary>The repository's root (the folder of <c>LettaSockets.sln</c>).</summary>
    public static string RepositoryRoot { get; } = FindRoot();

    /// <summary>Installs the SDK when missing and returns the folder whose <c>node_modules</c> holds it.</summary>
    public static async Task<string> EnsureInstalledAsync()
    {
        var node = await RunAsync("node", ["--version"], TimeSpan.FromSeconds(15), environment: null);
        if (node is null)
        {
            Assert.Inconclusive("node is not installed (Letta's TypeScript SDK needs Node 18 or later): skipped");
        }

        var major = int.Parse(node.Value.Stdout.Trim().TrimStart('v').Split('.')[0], System.Globalization.CultureInfo.InvariantCulture);
        if (major < 18)
        {
            Assert.Inconclusive($"node {major} is too old for Letta's TypeScript SDK (18 or later): skipped");
        }

        var script = Path.Combine(RepositoryRoot, "eng", "install-letta-client.sh");
        var install = await RunAsync("bash", [script, Version], s_installTimeout, environment: null);
        if (install is not { ExitCode: 0 } done)
        {
            Assert.Inconclusive($"@letta-ai/letta-client {Version} could not be installed (bash, npm and the npm registry are needed): "
                + Excerpt(install?.Stderr ?? "bash is not installed") + ": skipped");
            throw new UnreachableException();
        }

        return done.Stdout.Trim().Split('\n')[^1].Trim();
    }

    /// <summary>Runs <paramref name="script"/> with node and returns the JSON of its <c>RESULT</c> line.</summary>
    public static async Task<JsonElement> RunScriptAsync(string script, IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        var result = await RunAsync("node", [script], timeout, environment)
            ?? throw new AssertInconclusiveException("node is not installed: skipped");
        var line = result.Stdout.Split('\n').FirstOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal));
        Assert.IsNotNull(line, $"node {script} reported no RESULT (exit {result.ExitCode}). stdout: {result.Stdout} stderr: {result.Stderr}");
        return JsonDocument.Parse(line["RESULT ".Length..]).RootElement.Clone();
    }

    /// <summary>Runs a program to its end within <paramref name="timeout"/>; null when it is not installed.</summary>
    private static async Task<(int ExitCode, string Stdout, string Stderr)?> RunAsync(
        string program, IReadOnlyList<string> arguments, TimeSpan timeout, IReadOnlyDictionary<string, string>? environment)
    {
        var start = new ProcessStartInfo(program)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            WorkingDirectory = RepositoryRoot,
        };
        foreach (var argument in arguments)
        {
            start.ArgumentList.Add(argument);
        }

        foreach (var (key, value) in environment ?? new Dictionary<string, string>())
        {
            start.Environment[key] = value;
        }

        Process process;
        try
        {
            process = Process.Start(start)!;
        }
        catch (Win32Exception)
        {
            return null;
        }

        using (process)
        {
            var stdout = process.StandardOutput.ReadToEndAsync();
            var stderr = process.StandardError.ReadToEndAsync();
            try
            {
                await process.WaitForExitAsync().WaitAsync(timeout);
            }
            catch (TimeoutException)
            {
                process.Kill(entireProcessTree: true);
                throw new AssertFailedException($"{program} {string.Join(' ', arguments)} did not finish within {timeout.TotalSeconds} s. stderr: {await stderr}");
            }

            return (process.ExitCode, await stdout, await stderr);
        }
    }

    private static string Excerpt(string text)
    {
        var trimmed = text.Trim();
        return trimmed.Length <= 500 ? trimmed : trimmed[..500] + "…";
    }

    private static string FindRoot()
    {
        for (var folder = new DirectoryInfo(AppContext.BaseDirectory); folder is not null; folder = folder.Parent)
        {
            if (File.Exists(Path.Combine(folder.FullName, "LettaSockets.sln")))
            {
                return folder.FullName;
            }
        }

        throw new InvalidOperationException("LettaSockets.sln not found above " + AppContext.BaseDirectory);
    }
}
