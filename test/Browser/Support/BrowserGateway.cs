using LettaSockets.Server.Hosting;
using LettaSockets.Simulator;
using Microsoft.AspNetCore.Builder;

namespace LettaSockets.Browser.Tests.Support;

/// <summary>
/// The real gateway on Kestrel (127.0.0.1) serving the real wwwroot, in front of its own Letta
/// simulator. The gateway can be stopped and started again on the same port while the simulator
/// keeps running, which is what a page sees when the server restarts.
/// </summary>
public sealed class BrowserGateway : IAsyncDisposable
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How long a stopping gateway lets open WebSockets finish before Kestrel aborts them.</summary>
    private static readonly TimeSpan s_stopGrace = TimeSpan.FromSeconds(1);

    private readonly string[] _args;

    private BrowserGateway(SimulatorHost simulator, WebApplication app, Uri baseUri, string[] args)
    {
        SimulatorHost = simulator;
        App = app;
        BaseUri = baseUri;
        _args = args;
    }

    public SimulatorHost SimulatorHost { get; }

    public LettaSimulator Simulator => SimulatorHost.Simulator;

    public WebApplication? App { get; private set; }

    /// <summary>e.g. <c>http://127.0.0.1:41234/</c>; stays the same across restarts.</summary>
    public Uri BaseUri { get; }

    public static async Task<BrowserGateway> StartAsync(IDictionary<string, string?>? settings = null)
    {
        var simOptions = new SimulatorOptions
        {
            Port = 0,
            PaceMultiplier = 0.2,
            CancelPollInterval = TimeSpan.FromMilliseconds(50),
            // Letta pings every 20 s of silence; a quick ping lets a test see "still working" in a second.
            KeepAliveInterval = TimeSpan.FromMilliseconds(250),
        };
        SimulatorHost sim = await SimulatorHost.StartAsync(simOptions).WaitAsync(s_startTimeout);

        var config = new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["Letta:BaseUrl"] = sim.BaseUrl.ToString(),
            ["Letta:RetryBaseDelay"] = "00:00:00.010",
            ["Letta:WindDownTimeout"] = "00:00:05",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:LettaSockets"] = "Warning",
        };
        foreach ((string key, string? value) in settings ?? new Dictionary<string, string?>())
        {
            config[key] = value;
        }

        string[] args = config.Where(kv => kv.Value is not null).Select(kv => $"--{kv.Key}={kv.Value}").ToArray();
        WebApplication app = await StartAppAsync(args);
        var baseUri = new Uri(new Uri(app.Urls.First()), "/");
        // Restarts must come back on the same port, or the page would have nowhere to reconnect to.
        string[] pinned = [.. args.Where(a => !a.StartsWith("--urls=", StringComparison.Ordinal)), $"--urls={baseUri.GetLeftPart(UriPartial.Authority)}"];
        return new BrowserGateway(sim, app, baseUri, pinned);
    }

    /// <summary>Adds an agent with a fresh Letta-shaped id and returns the id.</summary>
    public string AddAgent(string name, Func<SimRequest, AgentScript> behaviour)
    {
        string id = $"agent-{Guid.NewGuid()}";
        Simulator.Agents.Add(new SimAgent(id, name, behaviour));
        return id;
    }

    /// <summary>Stops the gateway (not the simulator); open sockets are aborted after a short grace.</summary>
    public async Task StopServerAsync()
    {
        if (App is not { } app)
        {
            return;
        }

        App = null;
        using (var grace = new CancellationTokenSource(s_stopGrace))
        {
            await app.StopAsync(grace.Token).WaitAsync(s_startTimeout);
        }

        await app.DisposeAsync().AsTask().WaitAsync(s_startTimeout);
    }

    /// <summary>Starts a fresh gateway on the port the first one had.</summary>
    public async Task StartServerAsync()
    {
        if (App is not null)
        {
            throw new InvalidOperationException("The gateway is already running.");
        }

        App = await StartAppAsync(_args);
    }

    public async ValueTask DisposeAsync()
    {
        await StopServerAsync();
        await SimulatorHost.DisposeAsync().AsTask().WaitAsync(s_startTimeout);
    }

    private static async Task<WebApplication> StartAppAsync(string[] args)
    {
        WebApplication app = LettaSocketsApp.Build(args);
        await app.StartAsync().WaitAsync(s_startTimeout);
        return app;
    }
}
