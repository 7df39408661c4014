using Microsoft.Extensions.Http.Resilience;
using LettaSockets.Server.Connections;
using LettaSockets.Server.Letta;
using LettaSockets.Server.Observability;
using LettaSockets.Server.Health;
using LettaSockets.Server.Resilience;
using LettaSockets.Server.Security;
using LettaSockets.Server.Sockets;
using LettaSockets.Server.Turns;
using LettaSockets.Simulator;
using Microsoft.Extensions.Options;
using LettaSockets.Server.Upstream;

namespace LettaSockets.Server.Hosting;

/// <summary>Registers the gateway's services; each concern in its own method.</summary>
public static class LettaSocketsServiceCollectionExtensions
{
    public static IServiceCollection AddLettaSockets(this IServiceCollection services, IConfiguration configuration)
    {
        services.TryAddSingletonTimeProvider();
        services.AddLettaSocketsObservability(configuration);
        services.AddLettaClient(configuration);
        services.AddLettaSocketsSessions(configuration);
        services.AddGatewaySecurity(configuration);
        services.AddGatewayHealth(configuration);
        return services;
    }

    public static IServiceCollection AddLettaClient(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<LettaOptions>().Bind(configuration.GetSection(LettaOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<LettaOptions>, LettaOptionsValidator>();
        services.PostConfigure<LettaOptions>(o =>
        {
            if (o.UsesEmbeddedSimulator && string.IsNullOrWhiteSpace(o.DefaultAgentId))
            {
                o.DefaultAgentId = EmbeddedSimulator.AssistantAgentId;
            }
        });
        services.AddOptions<CircuitBreakerSettings>().Bind(configuration.GetSection(LettaOptions.Section + ":CircuitBreaker")).ValidateOnStart();
        services.AddSingleton<IValidateOptions<CircuitBreakerSettings>, CircuitBreakerSettingsValidator>();
        services.AddOptions<SimulatorOptions>().Bind(configuration.GetSection("Simulator")).Configure(o => o.Port = 0);

        services.AddSingleton<LettaEndpoint>();
        services.AddSingleton<EmbeddedSimulator>();
        services.AddHostedService(sp => sp.GetRequiredService<EmbeddedSimulator>());
        // The W3C propagation stage (an Activity per request, traceparent headers) is only there
        // when traces are exported: without an exporter no one would ever see those ids.
        services.AddHttpClient<LettaClient>(http => http.Timeout = Timeout.InfiniteTimeSpan)
            .ConfigurePrimaryHttpMessageHandler(static sp => new SocketsHttpHandler
            {
                PooledConnectionLifetime = TimeSpan.FromMinutes(5),
                ConnectTimeout = TimeSpan.FromSeconds(10),
                AutomaticDecompression = System.Net.DecompressionMethods.None,
                ActivityHeadersPropagator = sp.GetRequiredService<OtlpExport>().IsExporting ? System.Diagnostics.DistributedContextPropagator.Current : null,
            })
            .SetHandlerLifetime(Timeout.InfiniteTimeSpan)
            .WithRequestLogsOnlyIfAsked(configuration)
            .AddResilienceHandler(LettaResilience.PipelineName, static (builder, context) =>
            {
                IServiceProvider sp = context.ServiceProvider;
                LettaResilience.Configure(
                    builder,
                    sp.GetRequiredService<IOptions<LettaOptions>>().Value,
                    sp.GetRequiredService<IOptions<CircuitBreakerSettings>>().Value,
                    sp.GetRequiredService<TimeProvider>(),
                    sp.GetRequiredService<ILoggerFactory>().CreateLogger("LettaSockets.Letta.Resilience"),
                    sp.GetRequiredService<LettaSocketsMetrics>().Retried,
                    circuitBreaker: context.InstanceName != LettaResilience.Unguarded);
            })
            .SelectPipelineBy(static _ => LettaResilience.SelectInstance);
        // The port the turn pipeline uses. Letta's HTTP API is its adapter (same lifetime as the typed
        // client) unless Letta:BaseUrl is a ws(s) URL: then the Letta Code App Server's adapter, one
        // long-lived socket opened in the background.
        services.AddOptions<AppServer.AppServerOptions>().Bind(configuration.GetSection(AppServer.AppServerOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AppServer.AppServerOptions>, AppServerOptionsValidator>();
        if (UsesAppServer(configuration))
        {
            services.PostConfigure<LettaOptions>(o =>
            {
                o.ResumableTurns = false; // the App Server has no replayable runs (ready.resumable is false)
                o.Background = false;
            });
            services.AddSingleton<AppServer.AppServerUpstream>();
            services.AddHostedService(sp => sp.GetRequiredService<AppServer.AppServerUpstream>());
            services.AddSingleton<IUpstream>(sp => sp.GetRequiredService<AppServer.AppServerUpstream>());
        }
        else
        {
            services.AddTransient<IUpstream>(sp => sp.GetRequiredService<LettaClient>());
            services.AddHostedService<LettaConnectionWarmUp>(); // after the embedded simulator: it warms towards it
        }

        services.AddSingleton<RunCanceller>();
        services.AddSingleton<Security.ObjectAuthorizer>();
        return services;
    }

    public static IServiceCollection AddLettaSocketsSessions(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<SocketOptions>().Bind(configuration.GetSection(SocketOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<SocketOptions>, SocketOptionsValidator>();
        services.AddSingleton<TurnPump>();
        services.AddSingleton(sp => new InstanceBuffers(
            sp.GetRequiredService<IOptions<Security.LimitOptions>>().Value.ResolvedMaxBufferedBytes,
            sp.GetRequiredService<Observability.LettaSocketsMetrics>(),
            sp.GetRequiredService<TimeProvider>()));
        services.AddSingleton<ConnectionTracker>();
        services.AddSingleton<GracefulShutdown>();
        services.AddHostedService(sp => sp.GetRequiredService<GracefulShutdown>());
        services.AddSingleton<IConfigureOptions<HostOptions>, ShutdownTimeoutSetup>();
        return services;
    }

    /// <summary>
    /// The HTTP client factory's own request logs (start, headers with secrets redacted, end) only when
    /// the configuration sets <c>System.Net.Http.HttpClient</c> (or the client's own category below it)
    /// to Information or lower. Otherwise its two logging handlers would still open a scope and redact
    /// the URL on every request, for lines the level never writes; <see cref="LettaClient"/> logs the
    /// upstream's failures itself.
    /// </summary>
    private static IHttpClientBuilder WithRequestLogsOnlyIfAsked(this IHttpClientBuilder builder, IConfiguration configuration)
    {
        const string Category = "System.Net.Http.HttpClient";
        string[] keys = [Category, $"{Category}.{builder.Name}", $"{Category}.{builder.Name}.LogicalHandler", $"{Category}.{builder.Name}.ClientHandler"];
        bool asked = keys.Any(key => Enum.TryParse(configuration[$"Logging:LogLevel:{key}"], ignoreCase: true, out LogLevel level) && level <= LogLevel.Information);
        return asked ? builder : builder.RemoveAllLoggers();
    }

    private static bool UsesAppServer(IConfiguration configuration) =>
        new LettaOptions { BaseUrl = configuration[LettaOptions.Section + ":BaseUrl"] }.UsesAppServer;

    private static void TryAddSingletonTimeProvider(this IServiceCollection services)
    {
        if (!services.Any(d => d.ServiceType == typeof(TimeProvider)))
        {
            services.AddSingleton(TimeProvider.System);
        }
    }
}
