using Microsoft.Extensions.Logging;

namespace LettaSockets.Simulator;

public static partial class SimulatorProgram
{
    private static partial class Log
    {
        [LoggerMessage(EventId = 1, Level = LogLevel.Information, Message = "Letta simulator listening on {Url}; demo agents: {Agents}")]
        public static partial void Listening(ILogger logger, string url, string agents);
    }
}
