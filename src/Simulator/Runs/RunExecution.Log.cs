using Microsoft.Extensions.Logging;

namespace LettaSockets.Simulator.Runs;

internal sealed partial class RunExecution
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 100, Level = LogLevel.Debug,
            Message = "Run {RunId} started for {AgentId} (tokens: {StreamTokens}, background: {Background})")]
        public static partial void RunStarted(ILogger logger, string runId, string agentId, bool streamTokens, bool background);

        [LoggerMessage(EventId = 101, Level = LogLevel.Debug, Message = "Run {RunId} ended: {Status} ({StopReason})")]
        public static partial void RunEnded(ILogger logger, string runId, SimRunStatus status, string? stopReason);

        [LoggerMessage(EventId = 102, Level = LogLevel.Warning, Message = "Behaviour of agent {AgentId} failed in run {RunId}")]
        public static partial void BehaviourFailed(ILogger logger, Exception exception, string runId, string agentId);
    }
}
