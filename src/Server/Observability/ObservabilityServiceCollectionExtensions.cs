namespace LettaSockets.Server.Observability;

/// <summary>Registers the gateway's metrics and, when configured, their OTLP export.</summary>
public static class ObservabilityServiceCollectionExtensions
{
    public static IServiceCollection AddLettaSocketsObservability(this IServiceCollection services)
    {
        services.AddMetrics();
        services.AddSingleton<LettaSocketsMetrics>();
        services.AddSingleton<OtlpMetricsExporter>();
        services.AddHostedService(sp => sp.GetRequiredService<OtlpMetricsExporter>());
        return services;
    }
}
