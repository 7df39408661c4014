namespace LettaSockets.Server.Sockets;

public sealed partial class SocketSession
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 1001, Level = LogLevel.Debug, Message = "Connection {ConnectionId} opened (agent {AgentId})")]
        public static partial void Connected(ILogger logger, string connectionId, string? agentId);

        [LoggerMessage(EventId = 1002, Level = LogLevel.Debug, Message = "Connection {ConnectionId} closed ({Reason})")]
        public static partial void Disconnected(ILogger logger, string connectionId, CloseReason reason);

        [LoggerMessage(EventId = 1003, Level = LogLevel.Debug, Message = "Connection {ConnectionId}: turn {TurnId} started for agent {AgentId}")]
        public static partial void TurnStarted(ILogger logger, string connectionId, string turnId, string agentId);

        [LoggerMessage(EventId = 1004, Level = LogLevel.Debug, Message = "Connection {ConnectionId}: turn {TurnId} (run {RunId}) cancelled by the client")]
        public static partial void TurnCancelled(ILogger logger, string connectionId, string turnId, string? runId);

        [LoggerMessage(EventId = 1005, Level = LogLevel.Debug, Message = "Connection {ConnectionId}: reader ended ({Reason})")]
        public static partial void ReadEnded(ILogger logger, string connectionId, string reason);

        [LoggerMessage(EventId = 1006, Level = LogLevel.Debug, Message = "Connection {ConnectionId}: writer ended ({Reason})")]
        public static partial void WriteEnded(ILogger logger, string connectionId, string reason);

        [LoggerMessage(EventId = 1007, Level = LogLevel.Warning, Message = "Connection {ConnectionId} took no frame for {Seconds} s: closing it as a slow consumer")]
        public static partial void SlowConsumer(ILogger logger, string connectionId, double seconds);

        [LoggerMessage(EventId = 1009, Level = LogLevel.Warning, Message = "Connection {ConnectionId} holds {Bytes} bytes while the instance is over its buffer cap: closing it as a slow consumer")]
        public static partial void Shed(ILogger logger, string connectionId, long bytes);

        [LoggerMessage(EventId = 1008, Level = LogLevel.Error, Message = "Connection {ConnectionId}: handling a {FrameType} frame (request {RequestId}) failed; the connection carries on")]
        public static partial void FrameFailed(ILogger logger, string connectionId, LettaSockets.Protocol.Frames.ClientFrameType frameType, string? requestId, Exception exception);
    }
}
