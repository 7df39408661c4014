namespace LettaSockets.Server.Tests.Support;

/// <summary>The gateway in its own process (so a test can kill it), started from the test's output folder.</summary>
public sealed class GatewayProcess : IAsyncDisposable
{
    private readonly ChildProcess _process;

    private GatewayProcess(ChildProcess process, Uri url, string instanceId)
    {
        _process = process;
        Url = url;
        InstanceId = instanceId;
    }

    public Uri Url { get; }

    public string InstanceId { get; }

    public static async Task<GatewayProcess> StartAsync(Uri lettaUrl, string instanceId, params string[] extra)
    {
        string dll = Path.Combine(AppContext.BaseDirectory, "LettaSockets.Server.dll");
        string[] args =
        [
            dll,
            "--urls=http://127.0.0.1:0",
            $"--Letta:BaseUrl={lettaUrl}",
            $"--Sockets:InstanceId={instanceId}",
            "--Logging:LogLevel:Default=Warning",
            "--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information",
            .. extra,
        ];
        ChildProcess process = ChildProcess.Start("dotnet", args);
        try
        {
            var match = await process.WaitForLineAsync(@"Now listening on: (http://\S+)", TimeSpan.FromSeconds(60));
            return new GatewayProcess(process, new Uri(match.Groups[1].Value), instanceId);
        }
        catch (TimeoutException)
        {
            await process.DisposeAsync();
            throw new AssertFailedException("The gateway process did not start:\n" + process.Output);
        }
    }

    public int Port => Url.Port;

    public void Kill() => _process.Kill();

    public ValueTask DisposeAsync() => _process.DisposeAsync();
}
