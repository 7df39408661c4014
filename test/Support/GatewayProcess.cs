namespace LettaSockets.Testing;

/// <summary>
/// The gateway in a child process (<c>dotnet LettaSockets.Server.dll</c> from the test's output folder, or
/// the published native executable, see <see cref="NativeGateway"/>), so a test can kill it the way a crash
/// or an OOM kill would: no drain, no shutdown frame, no close handshake — clients only see their sockets
/// break. Disposing kills it and waits until it is gone.
/// </summary>
public sealed class GatewayProcess : IAsyncDisposable
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(60);

    private readonly ChildProcess _process;

    private GatewayProcess(ChildProcess process, Uri url)
    {
        _process = process;
        Url = url;
    }

    public Uri Url { get; }

    public int Port => Url.Port;

    /// <summary>What the process wrote so far (stdout and stderr).</summary>
    public string Output => _process.Output;

    /// <summary>Starts a gateway in front of <paramref name="lettaUrl"/> as instance <paramref name="instanceId"/>.</summary>
    public static Task<GatewayProcess> StartAsync(Uri lettaUrl, string instanceId, params string[] extra) =>
        StartAsync(["--urls=http://127.0.0.1:0", $"--Letta:BaseUrl={lettaUrl}", $"--Sockets:InstanceId={instanceId}", "--Logging:LogLevel:Default=Warning", .. extra]);

    /// <summary>Starts the gateway with <paramref name="args"/> (<c>--Key=value</c>) and waits until it listens.</summary>
    /// <param name="executable">a published native gateway to run instead of <c>dotnet LettaSockets.Server.dll</c>.</param>
    /// <param name="workingDirectory">where it runs (the test's output folder by default).</param>
    public static async Task<GatewayProcess> StartAsync(IEnumerable<string> args, string? executable = null, string? workingDirectory = null)
    {
        // Kestrel's "Now listening on" line says which port a --urls=…:0 start got.
        string[] all = [.. args, "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information"];
        ChildProcess process = executable is null
            ? ChildProcess.Start("dotnet", [Path.Combine(AppContext.BaseDirectory, "LettaSockets.Server.dll"), .. all], workingDirectory)
            : ChildProcess.Start(executable, all, workingDirectory);
        try
        {
            var match = await process.WaitForLineAsync(@"Now listening on: (http://\S+)", s_startTimeout);
            return new GatewayProcess(process, new Uri(match.Groups[1].Value));
        }
        catch (Exception e) when (e is TimeoutException or InvalidOperationException)
        {
            await process.DisposeAsync();
            throw new AssertFailedException("The gateway process did not start:\n" + process.Output);
        }
    }

    /// <summary>SIGKILL, at once (the process is reaped when disposed).</summary>
    public void Kill() => _process.Kill();

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
