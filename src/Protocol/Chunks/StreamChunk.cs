using LettaSockets.Protocol.Frames;

namespace LettaSockets.Protocol.Chunks;

/// <summary>
/// One outbound frame, as a pump produces it and the writer sends it. A struct, so queueing it in a
/// bounded channel allocates nothing; the frequent kinds (chunk, reasoning, tool_call deltas) use
/// only the inline fields, the rare ones carry a <see cref="Payload"/> object.
/// </summary>
public readonly struct StreamChunk
{
    private StreamChunk(ChunkKind kind, TurnInfo? turn, string? messageId, string? content, string? name, long number, long seq, bool flag, object? payload)
    {
        Kind = kind;
        Turn = turn;
        MessageId = messageId;
        Content = content;
        Name = name;
        Number = number;
        Seq = seq;
        Flag = flag;
        Payload = payload;
    }

    public ChunkKind Kind { get; }

    /// <summary>The turn this frame belongs to; null for connection-level frames.</summary>
    public TurnInfo? Turn { get; }

    /// <summary><c>message_id</c> for text deltas, <c>tool_call_id</c> for tool frames.</summary>
    public string? MessageId { get; }

    /// <summary>The delta text (<c>content</c>, or <c>arguments</c> for tool calls).</summary>
    public string? Content { get; }

    /// <summary>Tool name (tool frames).</summary>
    public string? Name { get; }

    /// <summary>Status frames pack their <see cref="StatusKind"/> (top byte) and <c>elapsed_ms</c> here; read them through <see cref="Status"/> and <see cref="ElapsedMs"/>.</summary>
    public long Number { get; }

    /// <summary>Letta's <c>seq_id</c>, or -1 when the turn is not resumable.</summary>
    public long Seq { get; }

    /// <summary><c>hidden</c> for reasoning frames.</summary>
    public bool Flag { get; }

    /// <summary>The frame object of rare kinds (<see cref="DoneInfo"/>, <see cref="ErrorInfo"/>, …).</summary>
    public object? Payload { get; }

    public StatusKind Status => (StatusKind)(byte)(Number >> 56);

    public long ElapsedMs => Number & 0x00FF_FFFF_FFFF_FFFF;

    public static StreamChunk Text(TurnInfo turn, string messageId, string content, long seq = -1) =>
        new(ChunkKind.Chunk, turn, messageId, content, null, 0, seq, false, null);

    public static StreamChunk Reasoning(TurnInfo turn, string messageId, string content, bool hidden, long seq = -1) =>
        new(ChunkKind.Reasoning, turn, messageId, content, null, 0, seq, hidden, null);

    public static StreamChunk ToolCall(TurnInfo turn, string toolCallId, string? name, string arguments, long seq = -1) =>
        new(ChunkKind.ToolCall, turn, toolCallId, arguments, name, 0, seq, false, null);

    public static StreamChunk StatusFrame(TurnInfo turn, StatusKind status, long elapsedMs = 0, long seq = -1, string? toolCallId = null) =>
        new(ChunkKind.Status, turn, toolCallId, null, null, ((long)status << 56) | (elapsedMs & 0x00FF_FFFF_FFFF_FFFF), seq, false, null);

    public static StreamChunk ToolResult(TurnInfo turn, ToolResultInfo result, long seq = -1) =>
        new(ChunkKind.ToolResult, turn, result.ToolCallId, null, result.Name, 0, seq, false, result);

    public static StreamChunk Approval(TurnInfo turn, ApprovalInfo approval, long seq = -1) =>
        new(ChunkKind.ApprovalRequest, turn, approval.ToolCallId, approval.Arguments, approval.Name, 0, seq, false, approval);

    /// <param name="seq">The turn's last Letta <c>seq_id</c> (resumable turns), or -1.</param>
    public static StreamChunk Done(TurnInfo turn, DoneInfo done, long seq = -1) =>
        new(ChunkKind.Done, turn, null, null, null, 0, seq, false, done);

    /// <summary>An error frame; terminal for <paramref name="turn"/> when given, else informational
    /// (or terminal for the rejected request whose id the <see cref="ErrorInfo"/> carries).</summary>
    public static StreamChunk Failure(TurnInfo? turn, ErrorInfo error, long seq = -1) =>
        new(ChunkKind.Error, turn, null, null, null, 0, seq, false, error);

    public static StreamChunk ReadyFrame(ReadyInfo ready) => new(ChunkKind.Ready, null, null, null, null, 0, -1, false, ready);

    public static StreamChunk Pong(string? id) => new(ChunkKind.Pong, null, id, null, null, 0, -1, false, null);

    public static StreamChunk ShutdownFrame(ShutdownInfo shutdown) => new(ChunkKind.Shutdown, null, null, null, null, 0, -1, false, shutdown);

    /// <summary>The answer to a <c>follow</c> request (terminal for its id; the followed turns come as turns of their own).</summary>
    public static StreamChunk FollowingFrame(FollowInfo follow) => new(ChunkKind.Following, null, follow.Id, null, null, 0, -1, false, follow);

    /// <summary>The answer to a <c>history</c> request (terminal for its id).</summary>
    public static StreamChunk HistoryFrame(HistoryInfo history) => new(ChunkKind.History, null, history.Id, null, null, 0, -1, false, history);

    /// <summary>This delta carrying <paramref name="content"/> (deltas joined to it) and the last one's <paramref name="seq"/>.</summary>
    public StreamChunk WithContent(string content, long seq) => new(Kind, Turn, MessageId, content, Name, Number, seq, Flag, Payload);

    /// <summary>True when <paramref name="next"/> continues this delta and may be merged into one frame.</summary>
    public bool CanMergeWith(in StreamChunk next) =>
        Kind.IsDelta() && next.Kind == Kind && ReferenceEquals(next.Turn, Turn) && Flag == next.Flag
        && string.Equals(next.MessageId, MessageId, StringComparison.Ordinal)
        && (next.Name is null || string.Equals(next.Name, Name, StringComparison.Ordinal));
}
