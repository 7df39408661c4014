namespace LettaSockets.Server.Observability;

public sealed partial class OtlpMetricsExporter
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 5001, Level = LogLevel.Information, Message = "Exporting LettaSockets metrics over OTLP to {Endpoint}")]
        public static partial void Exporting(ILogger logger, string endpoint);
    }
}
