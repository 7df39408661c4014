using Microsoft.Extensions.Logging;

namespace LettaSockets.Client;

public sealed partial class LettaSocketsClient
{
    private static partial class Log
    {
        [LoggerMessage(1, LogLevel.Debug, "Connected: {ConnectionId}, agent {AgentId}, resumable {Resumable}")]
        public static partial void Connected(ILogger logger, string connectionId, string? agentId, bool resumable);

        [LoggerMessage(2, LogLevel.Debug, "The socket to the gateway closed ({CloseStatus} {CloseDescription})")]
        public static partial void Lost(ILogger logger, int? closeStatus, string? closeDescription);

        [LoggerMessage(3, LogLevel.Debug, "Reconnecting, attempt {Attempt} in {Delay}")]
        public static partial void Reconnecting(ILogger logger, int attempt, TimeSpan delay);

        [LoggerMessage(4, LogLevel.Debug, "An attempt to connect failed")]
        public static partial void ConnectFailed(ILogger logger, Exception exception);

        [LoggerMessage(5, LogLevel.Debug, "Resuming turn {Id} (run {RunId}) after seq {AfterSeq}")]
        public static partial void Resuming(ILogger logger, string id, string? runId, long afterSeq);

        [LoggerMessage(6, LogLevel.Debug, "A server frame was ignored: {Reason}")]
        public static partial void FrameIgnored(ILogger logger, string reason);

        [LoggerMessage(7, LogLevel.Debug, "The gateway is shutting down ({Reason}); {Count} resumable turns handed over")]
        public static partial void Shutdown(ILogger logger, string? reason, int count);

        [LoggerMessage(8, LogLevel.Debug, "The gateway sent {Code} for no running turn ({Id}): {Message}")]
        public static partial void ServerError(ILogger logger, string code, string message, string? id);

        [LoggerMessage(9, LogLevel.Debug, "Receiving from the gateway failed")]
        public static partial void ReceiveFailed(ILogger logger, Exception exception);

        [LoggerMessage(10, LogLevel.Debug, "Sending to the gateway failed")]
        public static partial void SendFailed(ILogger logger, Exception exception);

        [LoggerMessage(11, LogLevel.Debug, "The close handshake did not complete")]
        public static partial void CloseFailed(ILogger logger, Exception exception);

        [LoggerMessage(12, LogLevel.Warning, "A StateChanged handler threw")]
        public static partial void HandlerFailed(ILogger logger, Exception exception);
    }
}
