using Microsoft.Extensions.Logging;

namespace LettaSockets.Simulator.Http;

internal sealed partial class SseResponder
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 200, Level = LogLevel.Debug, Message = "Stream of run {RunId} ended early: the client went away")]
        public static partial void ClientGone(ILogger logger, string runId);

        [LoggerMessage(EventId = 201, Level = LogLevel.Information, Message = "Injected fault: stalling the stream of run {RunId}")]
        public static partial void Stalling(ILogger logger, string runId);

        [LoggerMessage(EventId = 202, Level = LogLevel.Information, Message = "Injected fault: cutting off the stream of run {RunId} after {Events} events")]
        public static partial void CuttingOff(ILogger logger, string runId, int events);
    }
}
