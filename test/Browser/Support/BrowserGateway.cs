using LettaSockets.Server.Hosting;
using LettaSockets.Simulator;
using Microsoft.AspNetCore.Builder;

namespace LettaSockets.Browser.Tests.Support;

/// <summary>
/// The real gateway serving the real wwwroot on 127.0.0.1, in front of its own Letta simulator.
/// The gateway can be stopped (gracefully: drain, <c>shutdown</c> frame) or — when it runs in a
/// child process — killed, and started again on the same port while the simulator keeps running:
/// what a page sees when its server restarts or crashes while Letta carries on.
/// </summary>
public sealed class BrowserGateway : IAsyncDisposable
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How long a stopping gateway lets open WebSockets finish before Kestrel aborts them.</summary>
    private static readonly TimeSpan s_stopGrace = TimeSpan.FromSeconds(1);

    private readonly string[] _args;
    private readonly bool _outOfProcess;
    private GatewayProcess? _process;

    private BrowserGateway(SimulatorHost simulator, Uri baseUri, string[] args, bool outOfProcess)
    {
        SimulatorHost = simulator;
        BaseUri = baseUri;
        _args = args;
        _outOfProcess = outOfProcess;
    }

    public SimulatorHost SimulatorHost { get; }

    public LettaSimulator Simulator => SimulatorHost.Simulator;

    /// <summary>The in-process gateway while it runs (null when stopped, or when it runs in a child process).</summary>
    public WebApplication? App { get; private set; }

    /// <summary>e.g. <c>http://127.0.0.1:41234/</c>; stays the same across restarts.</summary>
    public Uri BaseUri { get; }

    /// <param name="settings">gateway configuration on top of the fixture's (<c>Section:Key</c>).</param>
    /// <param name="outOfProcess">run the gateway as a child process, so that <see cref="KillServerAsync"/> can crash it.</param>
    public static async Task<BrowserGateway> StartAsync(IDictionary<string, string?>? settings = null, bool outOfProcess = false)
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
        if (outOfProcess)
        {
            (GatewayProcess process, Uri url) = await GatewayProcess.StartAsync(args);
            return new BrowserGateway(sim, new Uri(url, "/"), Pin(args, url), outOfProcess: true) { _process = process };
        }

        WebApplication app = await StartAppAsync(args);
        var appUrl = new Uri(app.Urls.First());
        return new BrowserGateway(sim, new Uri(appUrl, "/"), Pin(args, appUrl), outOfProcess: false) { App = app };
    }

    /// <summary>Adds an agent with a fresh Letta-shaped id and returns the id.</summary>
    public string AddAgent(string name, Func<SimRequest, AgentScript> behaviour)
    {
        string id = $"agent-{Guid.NewGuid()}";
        Simulator.Agents.Add(new SimAgent(id, name, behaviour));
        return id;
    }

    /// <summary>Stops the in-process gateway gracefully (not the simulator); open sockets are aborted after a short grace.</summary>
    public async Task StopServerAsync()
    {
        if (_outOfProcess)
        {
            throw new InvalidOperationException("This gateway runs in a child process: use KillServerAsync.");
        }

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

    /// <summary>Kills the child-process gateway (SIGKILL): its sockets just break. The simulator keeps running.</summary>
    public async Task KillServerAsync()
    {
        if (!_outOfProcess)
        {
            throw new InvalidOperationException("Only a gateway started with outOfProcess: true can be killed.");
        }

        if (_process is { } process)
        {
            _process = null;
            await process.KillAsync();
            await process.DisposeAsync();
        }
    }

    /// <summary>Starts a fresh gateway on the port the first one had.</summary>
    public async Task StartServerAsync()
    {
        if (App is not null || _process is not null)
        {
            throw new InvalidOperationException("The gateway is already running.");
        }

        if (_outOfProcess)
        {
            (_process, _) = await GatewayProcess.StartAsync(_args);
        }
        else
        {
            App = await StartAppAsync(_args);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_outOfProcess)
        {
            await KillServerAsync();
        }
        else
        {
            await StopServerAsync();
        }

        await SimulatorHost.DisposeAsync().AsTask().WaitAsync(s_startTimeout);
    }

    /// <summary>Restarts must come back on the same port, or the page would have nowhere to reconnect to.</summary>
    private static string[] Pin(string[] args, Uri url) =>
        [.. args.Where(a => !a.StartsWith("--urls=", StringComparison.Ordinal)), $"--urls={url.GetLeftPart(UriPartial.Authority)}"];

    private static async Task<WebApplication> StartAppAsync(string[] args)
    {
        WebApplication app = LettaSocketsApp.Build(args);
        await app.StartAsync().WaitAsync(s_startTimeout);
        return app;
    }
}
