using LettaSockets.Simulator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace LettaSockets.Seed.Tests.Support;

/// <summary>
/// The shared <see cref="TestGateway"/> (real Kestrel, its own simulator) with the agents the seed's
/// snippets name, and the seed's chat page served at <see cref="PagePath"/> with
/// its WebSocket URL pointed at this gateway's <c>/ws</c> (the only change to the page).
/// </summary>
public sealed class SeedGateway : IAsyncDisposable
{
    /// <summary>Stands in for the tutorial's <c>agent-123</c> (the simulator, like Letta, only knows
    /// <c>agent-&lt;uuid&gt;</c> ids); also the default agent, for the page's <c>/ws</c>.</summary>
    public const string AgentId = "agent-5eed0000-0000-4000-8000-000000000123";

    public const string SlowAgentId = "agent-5eed0000-0000-4000-8000-000000000456";

    public const string PagePath = "/seed/chat.html";

    public const string Answer = "Quantum computing uses qubits, which can be 0 and 1 at once — and “entangled”. 🧪";

    public static readonly string SlowAnswer = string.Join(' ', Enumerable.Range(1, 400).Select(i => $"word{i}"));

    private SeedGateway(TestGateway gateway) => Gateway = gateway;

    /// <summary>The shared fixture underneath: gateway and simulator.</summary>
    public TestGateway Gateway { get; }

    public SimulatorHost Simulator => Gateway.SimulatorHost;

    public Uri BaseUri => Gateway.BaseUri;

    /// <summary>What replaces the tutorial's <c>http://localhost:8000</c>.</summary>
    public string HttpBase => BaseUri.GetLeftPart(UriPartial.Authority);

    /// <summary>What replaces the tutorial's <c>ws://localhost:8000</c>.</summary>
    public string WebSocketBase => "ws://" + BaseUri.Authority;

    public static string ClientsFolder => Path.Combine(AppContext.BaseDirectory, "clients");

    public static async Task<SeedGateway> StartAsync()
    {
        TestGateway gateway = await TestGateway.StartAsync(
            new Dictionary<string, string?> { ["Letta:DefaultAgentId"] = AgentId, ["Logging:LogLevel:LettaSockets"] = null },
            services: services => services.AddSingleton<IStartupFilter, SeedPageFilter>());
        gateway.Simulator.Agents.Add(new SimAgent(AgentId, "Seed agent", _ => AgentScript.Create().Say(Answer).WithTokenDelay(TimeSpan.FromMilliseconds(5))));
        gateway.Simulator.Agents.Add(new SimAgent(SlowAgentId, "Slow seed agent", _ => AgentScript.Create().Say(SlowAnswer).WithTokenDelay(TimeSpan.FromMilliseconds(20))));
        return new SeedGateway(gateway);
    }

    public ValueTask DisposeAsync() => Gateway.DisposeAsync();

    /// <summary>Serves the seed's page (test-only) ahead of the gateway's own pipeline.</summary>
    private sealed class SeedPageFilter : IStartupFilter
    {
        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use(async (context, nextMiddleware) =>
            {
                if (context.Request.Path != PagePath)
                {
                    await nextMiddleware(context);
                    return;
                }

                string html = await File.ReadAllTextAsync(Path.Combine(ClientsFolder, "chat.html"));
                context.Response.ContentType = "text/html; charset=utf-8";
                await context.Response.WriteAsync(html.Replace("ws://localhost:8000/chat", $"ws://{context.Request.Host}/ws", StringComparison.Ordinal));
            });
            next(app);
        };
    }
}
