namespace LettaSockets.Protocol.Chunks;

/// <summary>Values of <c>status.status</c>.</summary>
public enum StatusKind : byte
{
    Thinking,
    Running,
    ToolRunning,
    Working,
}
