using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;
using OpenTelemetry.Trace;

namespace LettaSockets.Server.Observability;

/// <summary>Registers the gateway's metrics and, when an OTLP endpoint is configured, their export with
/// traces (<c>OpenTelemetry.Extensions.Hosting</c>: the SDK reads every <c>OTEL_*</c> key from the app's
/// configuration, and flushes on stop).</summary>
public static class ObservabilityServiceCollectionExtensions
{
    public static IServiceCollection AddLettaSocketsObservability(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddMetrics();
        services.AddSingleton<LettaSocketsMetrics>();
        var export = new OtlpExport(configuration[OtlpExport.EndpointKey]);
        services.AddSingleton(export);
        if (!export.IsExporting)
        {
            return services; // no listener on the activity source: tracing costs the hot path nothing
        }

        services.AddOpenTelemetry()
            .ConfigureResource(resource =>
            {
                if (string.IsNullOrWhiteSpace(configuration["OTEL_SERVICE_NAME"]))
                {
                    resource.AddService("lettasockets", serviceVersion: ServerVersion.Value);
                }
            })
            .WithMetrics(metrics => metrics.AddMeter(LettaSocketsMetrics.MeterName))
            .WithTracing(tracing => tracing
                .AddSource(LettaSocketsTelemetry.SourceName)
                .AddAspNetCoreInstrumentation()
                .AddHttpClientInstrumentation())
            .UseOtlpExporter();
        return services;
    }
}
