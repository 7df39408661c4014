using LettaSockets.Server.Hosting;
using LettaSockets.Simulator;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace LettaSockets.Testing;

/// <summary>
/// A gateway on real Kestrel (127.0.0.1, ephemeral port) in front of its own simulator, also on
/// loopback: every test goes through real HTTP, SSE and WebSockets. The gateway runs in this process
/// (its services are the test's to inspect) or, with <c>outOfProcess</c>, as a child process that a test
/// can kill the way a crash would. Either can be stopped and started again on the same port while the
/// simulator keeps running: what clients see when their server restarts while Letta carries on.
/// </summary>
public sealed class TestGateway : IAsyncDisposable
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(30);

    /// <summary>How long a stopping gateway lets open WebSockets finish before Kestrel aborts them.</summary>
    private static readonly TimeSpan s_stopGrace = TimeSpan.FromSeconds(1);

    private readonly string[] _args;
    private readonly Action<IServiceCollection>? _services;
    private readonly bool _outOfProcess;
    private WebApplication? _app;
    private GatewayProcess? _process;

    private TestGateway(SimulatorHost simulator, Uri baseUri, string[] args, Action<IServiceCollection>? services, bool outOfProcess)
    {
        SimulatorHost = simulator;
        BaseUri = baseUri;
        _args = args;
        _services = services;
        _outOfProcess = outOfProcess;
    }

    public SimulatorHost SimulatorHost { get; }

    public LettaSimulator Simulator => SimulatorHost.Simulator;

    /// <summary>The in-process gateway while it runs.</summary>
    public WebApplication App => _app ?? throw new InvalidOperationException(_outOfProcess ? "This gateway runs in a child process." : "The gateway is stopped.");

    /// <summary>e.g. <c>http://127.0.0.1:41234/</c>; stays the same across restarts.</summary>
    public Uri BaseUri { get; }

    public IServiceProvider Services => App.Services;

    /// <param name="settings">gateway configuration on top of the fixture's (<c>Section:Key</c>; null removes a key).</param>
    /// <param name="simulator">changes to the simulator's options (fast pacing and cancel polls by default).</param>
    /// <param name="services">extra services for an in-process gateway.</param>
    /// <param name="outOfProcess">run the gateway as a child process, so that <see cref="KillServerAsync"/> can crash it.</param>
    public static async Task<TestGateway> StartAsync(
        IDictionary<string, string?>? settings = null,
        Action<SimulatorOptions>? simulator = null,
        Action<IServiceCollection>? services = null,
        bool outOfProcess = false)
    {
        if (outOfProcess && services is not null)
        {
            throw new ArgumentException("A child-process gateway takes settings only.", nameof(services));
        }

        var simOptions = new SimulatorOptions { Port = 0, PaceMultiplier = 0.2, CancelPollInterval = TimeSpan.FromMilliseconds(50) };
        simulator?.Invoke(simOptions);
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

        string[] args = [.. config.Where(kv => kv.Value is not null).Select(kv => $"--{kv.Key}={kv.Value}")];
        try
        {
            if (outOfProcess)
            {
                GatewayProcess process = await GatewayProcess.StartAsync(args);
                return new TestGateway(sim, new Uri(process.Url, "/"), Pin(args, process.Url), null, outOfProcess: true) { _process = process };
            }

            WebApplication app = await StartAppAsync(args, services);
            var url = new Uri(app.Urls.First());
            return new TestGateway(sim, new Uri(url, "/"), Pin(args, url), services, outOfProcess: false) { _app = app };
        }
        catch
        {
            await sim.DisposeAsync();
            throw;
        }
    }

    public Uri WebSocketUri(string? agentId, string? query = null)
    {
        var builder = new UriBuilder(BaseUri) { Scheme = "ws", Path = agentId is null ? "/ws" : $"/ws/{agentId}" };
        if (query is not null)
        {
            builder.Query = query;
        }

        return builder.Uri;
    }

    public Task<TestClient> ConnectAsync(string? agentId, Action<System.Net.WebSockets.ClientWebSocketOptions>? options = null) =>
        TestClient.ConnectAsync(WebSocketUri(agentId), options);

    /// <summary>Adds an agent with a fresh Letta-shaped id and returns the id.</summary>
    public string AddAgent(Func<SimRequest, AgentScript> behaviour, string name = "Test agent")
    {
        string id = $"agent-{Guid.NewGuid()}";
        Simulator.Agents.Add(new SimAgent(id, name, behaviour));
        return id;
    }

    /// <summary>Stops the in-process gateway gracefully (not the simulator): it drains and sends <c>shutdown</c>;
    /// sockets still open after a short grace are aborted.</summary>
    public async Task StopServerAsync()
    {
        if (_outOfProcess)
        {
            throw new InvalidOperationException("This gateway runs in a child process: use KillServerAsync.");
        }

        if (_app is not { } app)
        {
            return;
        }

        _app = null;
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
            await process.DisposeAsync();
        }
    }

    /// <summary>Starts a fresh gateway on the port the first one had.</summary>
    public async Task StartServerAsync()
    {
        if (_app is not null || _process is not null)
        {
            throw new InvalidOperationException("The gateway is already running.");
        }

        if (_outOfProcess)
        {
            _process = await GatewayProcess.StartAsync(_args);
        }
        else
        {
            _app = await StartAppAsync(_args, _services);
        }
    }

    public async ValueTask DisposeAsync()
    {
        if (_outOfProcess)
        {
            await KillServerAsync();
        }
        else if (_app is { } app)
        {
            _app = null;
            using var stop = new CancellationTokenSource(s_startTimeout);
            await app.StopAsync(stop.Token);
            await app.DisposeAsync();
        }

        await SimulatorHost.DisposeAsync().AsTask().WaitAsync(s_startTimeout);
    }

    /// <summary>Restarts must come back on the same port, or clients would have nowhere to reconnect to.</summary>
    private static string[] Pin(string[] args, Uri url) =>
        [.. args.Where(a => !a.StartsWith("--urls=", StringComparison.Ordinal)), $"--urls={url.GetLeftPart(UriPartial.Authority)}"];

    private static async Task<WebApplication> StartAppAsync(string[] args, Action<IServiceCollection>? services)
    {
        WebApplication app = LettaSocketsApp.Build(args, builder => services?.Invoke(builder.Services));
        await app.StartAsync().WaitAsync(s_startTimeout);
        return app;
    }
}
