using LettaSockets.Server.Upstream;
namespace LettaSockets.Server.Letta;

public sealed partial class LettaClient
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 2001, Level = LogLevel.Debug, Message = "Asked Letta to cancel run {RunId} of agent {AgentId}: HTTP {Status}")]
        public static partial void RunCancelled(ILogger logger, string agentId, string? runId, int status);

        [LoggerMessage(EventId = 2002, Level = LogLevel.Warning, Message = "Could not cancel run {RunId} of agent {AgentId} in Letta ({Error})")]
        public static partial void CancelFailed(ILogger logger, string agentId, string? runId, string error);
    }
}
