using LettaSockets.Server.Hosting;
using LettaSockets.Simulator;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;

namespace LettaSockets.Server.Tests.Support;

/// <summary>
/// A gateway on real Kestrel (127.0.0.1, ephemeral port) in front of its own simulator, also on
/// loopback: every test goes through real HTTP, SSE and WebSockets.
/// </summary>
public sealed class TestGateway : IAsyncDisposable
{
    private TestGateway(SimulatorHost simulator, WebApplication app, Uri baseUri)
    {
        SimulatorHost = simulator;
        App = app;
        BaseUri = baseUri;
    }

    public SimulatorHost SimulatorHost { get; }

    public LettaSimulator Simulator => SimulatorHost.Simulator;

    public WebApplication App { get; }

    public Uri BaseUri { get; }

    public IServiceProvider Services => App.Services;

    public static async Task<TestGateway> StartAsync(IDictionary<string, string?>? settings = null, Action<SimulatorOptions>? simulator = null, Action<IServiceCollection>? services = null)
    {
        var simOptions = new SimulatorOptions { Port = 0, PaceMultiplier = 0.2, CancelPollInterval = TimeSpan.FromMilliseconds(50) };
        simulator?.Invoke(simOptions);
        SimulatorHost sim = await SimulatorHost.StartAsync(simOptions).WaitAsync(TimeSpan.FromSeconds(30));

        var config = new Dictionary<string, string?>
        {
            ["urls"] = "http://127.0.0.1:0",
            ["Letta:BaseUrl"] = sim.BaseUrl.ToString(),
            ["Letta:RetryBaseDelay"] = "00:00:00.010",
            ["Letta:WindDownTimeout"] = "00:00:05",
            ["Logging:LogLevel:Default"] = "Warning",
            ["Logging:LogLevel:LettaSockets"] = "Warning",
        };
        if (settings is not null)
        {
            foreach ((string key, string? value) in settings)
            {
                config[key] = value;
            }
        }

        string[] args = config.Where(kv => kv.Value is not null).Select(kv => $"--{kv.Key}={kv.Value}").ToArray();
        WebApplication app = LettaSocketsApp.Build(args, builder => services?.Invoke(builder.Services));
        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        var baseUri = new Uri(app.Urls.First());
        return new TestGateway(sim, app, baseUri);
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

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await App.StopAsync(stop.Token);
        await App.DisposeAsync();
        await SimulatorHost.DisposeAsync();
    }
}
