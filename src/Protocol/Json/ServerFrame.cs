using System.Text.Json;

namespace LettaSockets.Protocol.Json;

/// <summary>
/// Any server frame as a .NET client reads it: every field of docs/PROTOCOL.md's frames, null when the frame's
/// type does not carry it. Deserialize with <see cref="ProtocolJsonContext"/>.
/// </summary>
public sealed class ServerFrame
{
    public string Type { get; set; } = "";
    public string? Id { get; set; }
    public string? AgentId { get; set; }
    public string? RunId { get; set; }
    public long? Seq { get; set; }
    public string? Status { get; set; }
    public long? ElapsedMs { get; set; }
    public string? MessageId { get; set; }
    public string? Content { get; set; }
    public bool? Hidden { get; set; }
    public string? ToolCallId { get; set; }
    public string? Name { get; set; }
    public string? Arguments { get; set; }
    public string? Result { get; set; }
    public List<string>? Stdout { get; set; }
    public List<string>? Stderr { get; set; }
    public string? StopReason { get; set; }
    public string? CancelledBy { get; set; }
    public Dictionary<string, JsonElement>? Usage { get; set; }
    public Dictionary<string, JsonElement>? Metrics { get; set; }
    public string? Code { get; set; }
    public string? Message { get; set; }
    public bool? Retryable { get; set; }
    public long? RetryAfterMs { get; set; }
    public string? Detail { get; set; }
    public string? Protocol { get; set; }
    public string? ConnectionId { get; set; }
    public bool? Resumable { get; set; }

    /// <summary><c>ready</c>: whether the upstream has several conversations per agent.</summary>
    public bool? Conversations { get; set; }
    public Dictionary<string, JsonElement>? Limits { get; set; }
    public Dictionary<string, JsonElement>? Server { get; set; }
    public string? Reason { get; set; }
    public List<ServerResumeCursor>? Resume { get; set; }

    /// <summary><c>history</c> (and the messages inside it).</summary>
    public string? ConversationId { get; set; }

    /// <summary><c>history</c>: the stored messages, oldest first, each shaped as the frame a live turn uses (or <c>user_message</c>).</summary>
    public List<ServerFrame>? Messages { get; set; }

    /// <summary><c>history</c>: older messages exist (ask again with <see cref="Before"/>).</summary>
    public bool? HasMore { get; set; }

    /// <summary><c>history</c>: the cursor of the page before this one.</summary>
    public string? Before { get; set; }

    /// <summary>Frames of a turn started elsewhere that this socket follows.</summary>
    public bool? Followed { get; set; }

    /// <summary>A message inside <c>history</c>: when Letta stored it.</summary>
    public string? Date { get; set; }

    /// <summary>The one frame that ends a request: <c>done</c> or <c>error</c>, or the <c>history</c> / <c>following</c> answer.</summary>
    public bool IsTerminal => Type is "done" or "error" or "history" or "following";

    public static ServerFrame Parse(ReadOnlySpan<byte> utf8) =>
        JsonSerializer.Deserialize(utf8, ProtocolJsonContext.Default.ServerFrame)
        ?? throw new JsonException("A server frame was null.");

    public static ServerFrame Parse(string json) =>
        JsonSerializer.Deserialize(json, ProtocolJsonContext.Default.ServerFrame)
        ?? throw new JsonException("A server frame was null.");
}

/// <summary>One entry of <c>shutdown.resume</c>.</summary>
public sealed class ServerResumeCursor
{
    public string Id { get; set; } = "";
    public string RunId { get; set; } = "";
    public long AfterSeq { get; set; }
}
