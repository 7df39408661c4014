namespace LettaSockets.Simulator;

/// <summary>What a stored SSE frame carries.</summary>
public enum RunChunkKind
{
    Ping,
    Message,
    StopReason,
    Usage,
    Error,
    Done,
}
