namespace LettaSockets.Server.Observability;

/// <summary>Whether the gateway exports metrics and traces over OTLP (<c>OTEL_EXPORTER_OTLP_ENDPOINT</c>
/// set in any configuration source; the other standard <c>OTEL_*</c> settings apply too).</summary>
public sealed class OtlpExport(string? endpoint)
{
    public const string EndpointKey = "OTEL_EXPORTER_OTLP_ENDPOINT";

    public string? Endpoint { get; } = string.IsNullOrWhiteSpace(endpoint) ? null : endpoint;

    public bool IsExporting => Endpoint is not null;
}
