namespace LettaSockets.Protocol.Chunks;

/// <summary>Which server frame a <see cref="StreamChunk"/> becomes.</summary>
public enum ChunkKind : byte
{
    Ready,
    Status,
    Reasoning,
    Chunk,
    ToolCall,
    ToolResult,
    ApprovalRequest,
    Done,
    Error,
    Pong,
    Shutdown,
    History,
    Following,
}

/// <summary>Classification helpers used by the writer.</summary>
public static class ChunkKindExtensions
{
    /// <summary>Content frames are the ones a cancel suppresses and the writer may merge.</summary>
    public static bool IsContent(this ChunkKind kind) =>
        kind is ChunkKind.Reasoning or ChunkKind.Chunk or ChunkKind.ToolCall or ChunkKind.ToolResult
            or ChunkKind.ApprovalRequest or ChunkKind.Status;

    /// <summary>Deltas whose <c>content</c>/<c>arguments</c> concatenate.</summary>
    public static bool IsDelta(this ChunkKind kind) =>
        kind is ChunkKind.Reasoning or ChunkKind.Chunk or ChunkKind.ToolCall;
}
