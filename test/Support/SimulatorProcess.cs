using System.Text.Json;

namespace LettaSockets.Testing;

/// <summary>
/// The Letta simulator in its own process: for tests that measure the gateway's memory, which an
/// in-process simulator (it keeps every run it served) would blur. Its journal is read over
/// <c>GET /_sim/journal</c>.
/// </summary>
public sealed class SimulatorProcess : IAsyncDisposable
{
    private readonly ChildProcess _process;
    private readonly string _folder;

    private SimulatorProcess(ChildProcess process, string folder, Uri baseUrl)
    {
        _process = process;
        _folder = folder;
        BaseUrl = baseUrl;
    }

    public Uri BaseUrl { get; }

    public static async Task<SimulatorProcess> StartAsync(params string[] extra)
    {
        // Run from a folder of its own: next to the tests sits the gateway's appsettings.json, which
        // would silence the simulator's start-up line (the one that says where it listens).
        string folder = Directory.CreateTempSubdirectory("letta-sim-").FullName;
        foreach (string file in new[] { "LettaSockets.Simulator.dll", "LettaSockets.Simulator.deps.json", "LettaSockets.Simulator.runtimeconfig.json" })
        {
            File.Copy(Path.Combine(AppContext.BaseDirectory, file), Path.Combine(folder, file));
        }

        ChildProcess process = ChildProcess.Start("dotnet", [Path.Combine(folder, "LettaSockets.Simulator.dll"), "--host", "127.0.0.1", "--port", "0", .. extra], folder);
        try
        {
            var match = await process.WaitForLineAsync(@"Letta simulator listening on (http://[^;\s]+)", TimeSpan.FromSeconds(60));
            return new SimulatorProcess(process, folder, new Uri(match.Groups[1].Value));
        }
        catch (TimeoutException)
        {
            await process.DisposeAsync();
            throw new AssertFailedException("The simulator process did not start:\n" + process.Output);
        }
    }

    /// <summary>The journal as the simulator serves it (snake_case: <c>messages</c>, <c>cancels</c> …).</summary>
    public async Task<JsonDocument> JournalAsync()
    {
        using var http = new HttpClient { BaseAddress = BaseUrl, Timeout = TestClient.DefaultTimeout };
        await using Stream body = await http.GetStreamAsync("/_sim/journal");
        return await JsonDocument.ParseAsync(body);
    }

    public async ValueTask DisposeAsync()
    {
        await _process.DisposeAsync();
        Directory.Delete(_folder, recursive: true);
    }
}
