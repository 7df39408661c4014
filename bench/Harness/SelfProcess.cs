using System.Diagnostics;
using System.Globalization;
using System.Net;

namespace LettaSockets.Bench.Harness;

/// <summary>Starts this program again with a sub-command (the floor servers, the capacity probe's helper).</summary>
internal static class SelfProcess
{
    /// <summary>Arguments that start this program again (the apphost, or <c>dotnet LettaSockets.Bench.dll</c>).</summary>
    public static IEnumerable<string> Arguments(params string[] arguments)
    {
        if (Path.GetFileNameWithoutExtension(Environment.ProcessPath) == "dotnet")
        {
            yield return typeof(SelfProcess).Assembly.Location;
        }

        foreach (string a in arguments)
        {
            yield return a;
        }
    }

    /// <summary>Starts a sub-command that serves HTTP on a free loopback port (Server GC, like the gateway) and waits until it answers.</summary>
    public static async Task<(ChildProcess Server, IPEndPoint EndPoint)> StartServerAsync(string name, string command, IReadOnlyList<string> extra, IReadOnlyDictionary<string, string>? experiment)
    {
        int port = FreePort.Next();
        var environment = new Dictionary<string, string> { ["DOTNET_gcServer"] = "1" };
        foreach ((string key, string value) in experiment ?? new Dictionary<string, string>())
        {
            environment[key] = value;
        }

        ChildProcess server = ChildProcess.Start(name, Environment.ProcessPath ?? "dotnet",
            Arguments([command, "--port", port.ToString(CultureInfo.InvariantCulture), .. extra]),
            TimeSpan.FromMinutes(15),
            environment);
        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(2) };
        var clock = Stopwatch.StartNew();
        while (true)
        {
            if (server.HasExited)
            {
                throw new InvalidOperationException($"The {name} exited during start-up:{Environment.NewLine}{server.Tail()}");
            }

            try
            {
                using HttpResponseMessage response = await http.GetAsync(new Uri($"http://127.0.0.1:{port}/api/agents")).ConfigureAwait(false);
                if (response.IsSuccessStatusCode)
                {
                    return (server, new IPEndPoint(IPAddress.Loopback, port));
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(50).ConfigureAwait(false);
            }
        }
    }
}
