namespace LettaSockets.Server.Sse;

public static partial class SseEndpoints
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 6001, Level = LogLevel.Debug, Message = "Stream request {ConnectionId}: turn {TurnId} started for agent {AgentId}")]
        public static partial void Started(ILogger logger, string connectionId, string turnId, string agentId);

        [LoggerMessage(EventId = 6002, Level = LogLevel.Debug, Message = "Stream request {ConnectionId}: the client went away; cancelling its turn")]
        public static partial void ClientGone(ILogger logger, string connectionId);
    }
}
