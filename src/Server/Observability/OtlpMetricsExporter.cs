using OpenTelemetry;
using OpenTelemetry.Metrics;
using OpenTelemetry.Resources;

namespace LettaSockets.Server.Observability;

/// <summary>
/// Exports the <c>LettaSockets</c> meter over OTLP when <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> is set
/// (environment, appsettings or command line; the other standard <c>OTEL_*</c> settings apply too).
/// OpenTelemetry.Extensions.Hosting is not on the build machines' NuGet mirror, so this builds the
/// <see cref="MeterProvider"/> itself and disposes it on stop, which flushes the last export.
/// </summary>
public sealed partial class OtlpMetricsExporter(IConfiguration configuration, ILogger<OtlpMetricsExporter> logger) : IHostedService, IDisposable
{
    public const string EndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";

    private MeterProvider? _provider;

    public bool IsExporting => _provider is not null;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        string? endpoint = configuration[EndpointKey];
        if (string.IsNullOrWhiteSpace(endpoint))
        {
            return Task.CompletedTask;
        }

        // Give the SDK the app's configuration, so OTEL_* keys from any source are honoured, not
        // only environment variables.
        MeterProviderBuilder builder = Sdk.CreateMeterProviderBuilder()
            .ConfigureServices(services => services.AddSingleton(configuration));
        if (string.IsNullOrWhiteSpace(configuration["OTEL_SERVICE_NAME"]))
        {
            builder.ConfigureResource(resource => resource.AddService("lettasockets", serviceVersion: ServerVersion.Value));
        }

        _provider = builder
            .AddMeter(LettaSocketsMetrics.MeterName)
            .AddOtlpExporter()
            .Build();
        Log.Exporting(logger, endpoint);
        return Task.CompletedTask;
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        Dispose();
        return Task.CompletedTask;
    }

    public void Dispose()
    {
        MeterProvider? provider = Interlocked.Exchange(ref _provider, null);
        provider?.Dispose();
    }
}
