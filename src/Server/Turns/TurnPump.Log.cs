namespace LettaSockets.Server.Turns;

public sealed partial class TurnPump
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 3001, Level = LogLevel.Information, Message = "Turn {TurnId} for agent {AgentId} (run {RunId}) failed upstream: {Code} (HTTP {Status})")]
        public static partial void UpstreamFailed(ILogger logger, string turnId, string agentId, string? runId, string code, int? status);

        [LoggerMessage(EventId = 3002, Level = LogLevel.Error, Message = "Turn {TurnId} for agent {AgentId} failed in the gateway")]
        public static partial void TurnCrashed(ILogger logger, string turnId, string agentId, Exception exception);
    }
}
