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
        await WaitUntilServingAsync(name, server, port).ConfigureAwait(false);
        return (server, new IPEndPoint(IPAddress.Loopback, port));
    }

    /// <summary>Starts a published server executable (its GC settings are the ones it was published with) on a
    /// free loopback port and waits until it answers: the server, where, and the seconds from start to its first answer.</summary>
    public static async Task<(ChildProcess Server, IPEndPoint EndPoint, double ReadySeconds)> StartExecutableAsync(string name, string executable, IReadOnlyList<string> extra)
    {
        int port = FreePort.Next();
        var clock = Stopwatch.StartNew();
        ChildProcess server = ChildProcess.Start(name, executable, ["--port", port.ToString(CultureInfo.InvariantCulture), .. extra], TimeSpan.FromMinutes(15));
        await WaitUntilServingAsync(name, server, port).ConfigureAwait(false);
        return (server, new IPEndPoint(IPAddress.Loopback, port), clock.Elapsed.TotalSeconds);
    }

    private static async Task WaitUntilServingAsync(string name, ChildProcess server, int port)
    {
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
                    return;
                }
            }
            catch (Exception e) when (e is HttpRequestException or TaskCanceledException && clock.Elapsed < TimeSpan.FromSeconds(30))
            {
                await Task.Delay(50).ConfigureAwait(false);
            }
        }
    }
}
