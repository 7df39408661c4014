using Microsoft.Extensions.Logging;

namespace LettaSockets.Simulator.Http;

internal sealed partial class MessageEndpoints
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 300, Level = LogLevel.Information, Message = "Injected fault {Kind} on a message request for {AgentId}")]
        public static partial void FaultInjected(ILogger logger, FaultKind kind, string agentId);
    }
}
