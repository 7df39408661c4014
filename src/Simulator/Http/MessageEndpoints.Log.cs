using Microsoft.Extensions.Logging;

namespace LettaSockets.Simulator.Http;

internal sealed partial class MessageEndpoints
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "Injected fault {Kind} on a message request for {AgentId}")]
        public static partial void FaultInjected(ILogger logger, FaultKind kind, string agentId);

        [LoggerMessage(EventId = 301, Level = LogLevel.Information, Message = "Refused a send to {LockKey} with 409: run {RunId} holds its conversation lock")]
        public static partial void ConversationBusy(ILogger logger, string lockKey, string runId);

        [LoggerMessage(EventId = 302, Level = LogLevel.Debug, Message = "A send with the otids of run {RunId} is a retry: streaming that run again")]
        public static partial void DuplicateRecovered(ILogger logger, string runId);
    }
}
