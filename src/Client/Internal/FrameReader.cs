using System.Text;
using System.Text.Json;
using LettaSockets.Protocol.Frames;

namespace LettaSockets.Client.Internal;

/// <summary>
/// Reads one server frame from its UTF-8 bytes straight into its record, with <see cref="Utf8JsonReader"/>:
/// no document, no intermediate object. Ids that repeat frame after frame (the turn's id, agent, run,
/// message) are kept and reused when the bytes match, so a chunk allocates its record and its text.
/// A frame that is not a JSON object with a string <c>type</c>, or has a field of the wrong JSON type,
/// is null: the caller ignores it.
/// </summary>
internal sealed class FrameReader
{
    private string? _id;
    private string? _agentId;
    private string? _runId;
    private string? _messageId;
    private string? _toolCallId;
    private string? _status;
    private string? _name;

    public LettaFrame? Read(ReadOnlySpan<byte> utf8)
    {
        try
        {
            return ReadFrame(utf8);
        }
        catch (Exception ex) when (ex is JsonException or InvalidOperationException or FormatException)
        {
            return null;
        }
    }

    private LettaFrame? ReadFrame(ReadOnlySpan<byte> utf8)
    {
        var reader = new Utf8JsonReader(utf8, new JsonReaderOptions { MaxDepth = 16 });
        if (!reader.Read() || reader.TokenType != JsonTokenType.StartObject)
        {
            return null;
        }

        var f = new Fields();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            ReadProperty(ref reader, ref f);
        }

        if (reader.TokenType != JsonTokenType.EndObject || f.Type is null)
        {
            return null;
        }

        return f.Type switch
        {
            "chunk" => new ChunkFrame { Id = f.Id, AgentId = f.AgentId, RunId = f.RunId, Seq = f.Seq, Followed = f.Followed ?? false, MessageId = f.MessageId, Content = f.Content ?? "" },
            "reasoning" => new ReasoningFrame { Id = f.Id, AgentId = f.AgentId, RunId = f.RunId, Seq = f.Seq, Followed = f.Followed ?? false, MessageId = f.MessageId, Content = f.Content ?? "", Hidden = f.Hidden ?? false },
            "status" => new StatusFrame { Id = f.Id, AgentId = f.AgentId, RunId = f.RunId, Seq = f.Seq, Followed = f.Followed ?? false, Status = f.Status ?? "", ToolCallId = f.ToolCallId, ElapsedMs = f.ElapsedMs },
            "tool_call" => new ToolCallFrame { Id = f.Id, AgentId = f.AgentId, RunId = f.RunId, Seq = f.Seq, Followed = f.Followed ?? false, ToolCallId = f.ToolCallId ?? "", Name = f.Name, Arguments = f.Arguments },
            "tool_result" => new ToolResultFrame
            {
                Id = f.Id, AgentId = f.AgentId, RunId = f.RunId, Seq = f.Seq, Followed = f.Followed ?? false, ToolCallId = f.ToolCallId ?? "", Name = f.Name,
                Status = f.Status, Result = f.Result, Stdout = f.Stdout, Stderr = f.Stderr,
            },
            "approval_request" => new ApprovalRequestFrame { Id = f.Id, AgentId = f.AgentId, RunId = f.RunId, Seq = f.Seq, Followed = f.Followed ?? false, ToolCallId = f.ToolCallId ?? "", Name = f.Name, Arguments = f.Arguments },
            "done" => new DoneFrame
            {
                Id = f.Id, AgentId = f.AgentId, RunId = f.RunId, Seq = f.Seq, Followed = f.Followed ?? false, StopReason = f.StopReason ?? "",
                CancelledBy = f.CancelledBy, Usage = f.Usage, Metrics = f.Metrics,
            },
            "error" => new ErrorFrame
            {
                Id = f.Id, AgentId = f.AgentId, RunId = f.RunId, Seq = f.Seq, Followed = f.Followed ?? false, Code = f.Code ?? "", Message = f.Message ?? "",
                Retryable = f.Retryable ?? false, RetryAfterMs = f.RetryAfterMs, StopReason = f.StopReason, Detail = f.Detail,
            },
            "pong" => new PongFrame { Id = f.Id },
            "ready" => new ReadyFrame
            {
                Protocol = f.Protocol, ConnectionId = f.ConnectionId ?? "", AgentId = f.AgentId, Resumable = f.Resumable ?? false, Conversations = f.Conversations ?? false,
                MaxFrameBytes = f.MaxFrameBytes, MaxContentChars = f.MaxContentChars, MaxActiveTurns = f.MaxActiveTurns,
                ServerName = f.ServerName, ServerVersion = f.ServerVersion, ServerInstance = f.ServerInstance,
            },
            "shutdown" => new ShutdownFrame { Reason = f.Reason, Resume = f.Resume ?? [] },
            _ => new OtherTurnFrame { Id = f.Id, AgentId = f.AgentId, RunId = f.RunId, Seq = f.Seq, Followed = f.Followed ?? false, WireType = f.Type, Json = Encoding.UTF8.GetString(utf8) },
        };
    }

    private void ReadProperty(ref Utf8JsonReader reader, ref Fields f)
    {
        ReadOnlySpan<byte> name = reader.ValueSpan;
        if (reader.ValueIsEscaped)
        {
            reader.Read();
            reader.Skip();
            return;
        }

        reader.Read();
        switch (name)
        {
            case var _ when name.SequenceEqual("type"u8): f.Type = ReadType(ref reader); break;
            case var _ when name.SequenceEqual("id"u8): f.Id = Cached(ref reader, ref _id); break;
            case var _ when name.SequenceEqual("agent_id"u8): f.AgentId = Cached(ref reader, ref _agentId); break;
            case var _ when name.SequenceEqual("run_id"u8): f.RunId = Cached(ref reader, ref _runId); break;
            case var _ when name.SequenceEqual("seq"u8): f.Seq = Int64(ref reader); break;
            case var _ when name.SequenceEqual("content"u8): f.Content = String(ref reader); break;
            case var _ when name.SequenceEqual("message_id"u8): f.MessageId = Cached(ref reader, ref _messageId); break;
            case var _ when name.SequenceEqual("status"u8): f.Status = Cached(ref reader, ref _status); break;
            case var _ when name.SequenceEqual("tool_call_id"u8): f.ToolCallId = Cached(ref reader, ref _toolCallId); break;
            case var _ when name.SequenceEqual("name"u8): f.Name = Cached(ref reader, ref _name); break;
            case var _ when name.SequenceEqual("arguments"u8): f.Arguments = String(ref reader); break;
            case var _ when name.SequenceEqual("hidden"u8): f.Hidden = Bool(ref reader); break;
            case var _ when name.SequenceEqual("elapsed_ms"u8): f.ElapsedMs = Int64(ref reader); break;
            case var _ when name.SequenceEqual("result"u8): f.Result = String(ref reader); break;
            case var _ when name.SequenceEqual("stdout"u8): f.Stdout = Lines(ref reader); break;
            case var _ when name.SequenceEqual("stderr"u8): f.Stderr = Lines(ref reader); break;
            case var _ when name.SequenceEqual("stop_reason"u8): f.StopReason = String(ref reader); break;
            case var _ when name.SequenceEqual("cancelled_by"u8): f.CancelledBy = String(ref reader); break;
            case var _ when name.SequenceEqual("usage"u8): f.Usage = Usage(ref reader); break;
            case var _ when name.SequenceEqual("metrics"u8): f.Metrics = Metrics(ref reader); break;
            case var _ when name.SequenceEqual("code"u8): f.Code = String(ref reader); break;
            case var _ when name.SequenceEqual("message"u8): f.Message = String(ref reader); break;
            case var _ when name.SequenceEqual("retryable"u8): f.Retryable = Bool(ref reader); break;
            case var _ when name.SequenceEqual("retry_after_ms"u8): f.RetryAfterMs = Int64(ref reader); break;
            case var _ when name.SequenceEqual("detail"u8): f.Detail = String(ref reader); break;
            case var _ when name.SequenceEqual("protocol"u8): f.Protocol = String(ref reader); break;
            case var _ when name.SequenceEqual("connection_id"u8): f.ConnectionId = String(ref reader); break;
            case var _ when name.SequenceEqual("resumable"u8): f.Resumable = Bool(ref reader); break;
            case var _ when name.SequenceEqual("conversations"u8): f.Conversations = Bool(ref reader); break;
            case var _ when name.SequenceEqual("followed"u8): f.Followed = Bool(ref reader); break;
            case var _ when name.SequenceEqual("limits"u8): Limits(ref reader, ref f); break;
            case var _ when name.SequenceEqual("server"u8): Server(ref reader, ref f); break;
            case var _ when name.SequenceEqual("reason"u8): f.Reason = String(ref reader); break;
            case var _ when name.SequenceEqual("resume"u8): f.Resume = Cursors(ref reader); break;
            default: reader.Skip(); break;
        }
    }

    /// <summary>The known types as constants (no allocation); an unknown one as a new string.</summary>
    private static string? ReadType(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException("type is not a string");
        }

        foreach (string known in s_types)
        {
            if (reader.ValueTextEquals(known))
            {
                return known;
            }
        }

        return reader.GetString();
    }

    private static readonly string[] s_types =
        ["chunk", "status", "reasoning", "tool_call", "tool_result", "approval_request", "done", "error", "pong", "ready", "shutdown"];

    private static string? Cached(ref Utf8JsonReader reader, ref string? last)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            throw new JsonException("expected a string");
        }

        if (last is not null && reader.ValueTextEquals(last))
        {
            return last;
        }

        last = reader.GetString();
        return last;
    }

    private static string? String(ref Utf8JsonReader reader) => reader.TokenType switch
    {
        JsonTokenType.Null => null,
        JsonTokenType.String => reader.GetString(),
        _ => throw new JsonException("expected a string"),
    };

    private static long? Int64(ref Utf8JsonReader reader) => reader.TokenType == JsonTokenType.Null ? null : reader.GetInt64();

    private static double? Double(ref Utf8JsonReader reader) => reader.TokenType == JsonTokenType.Null ? null : reader.GetDouble();

    private static bool? Bool(ref Utf8JsonReader reader) => reader.TokenType == JsonTokenType.Null ? null : reader.GetBoolean();

    private static List<string>? Lines(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        Expect(ref reader, JsonTokenType.StartArray);
        var lines = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            lines.Add(String(ref reader) ?? "");
        }

        return lines;
    }

    private static UsageInfo? Usage(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        Expect(ref reader, JsonTokenType.StartObject);
        var usage = new UsageInfo();
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string property = reader.GetString()!;
            reader.Read();
            long? value = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long n) ? n : null;
            usage = property switch
            {
                "prompt_tokens" => usage with { PromptTokens = value },
                "completion_tokens" => usage with { CompletionTokens = value },
                "total_tokens" => usage with { TotalTokens = value },
                "step_count" => usage with { StepCount = value },
                "cached_input_tokens" => usage with { CachedInputTokens = value },
                "cache_write_tokens" => usage with { CacheWriteTokens = value },
                "reasoning_tokens" => usage with { ReasoningTokens = value },
                "context_tokens" => usage with { ContextTokens = value },
                _ => usage,
            };
            reader.Skip();
        }

        return usage;
    }

    private static DoneMetrics? Metrics(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        Expect(ref reader, JsonTokenType.StartObject);
        double? ttft = null, rate = null, duration = null;
        long chunks = 0, frames = 0, chars = 0;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string property = reader.GetString()!;
            reader.Read();
            switch (property)
            {
                case "ttft_ms": ttft = Double(ref reader); break;
                case "tokens_per_second": rate = Double(ref reader); break;
                case "duration_ms": duration = Double(ref reader); break;
                case "chunks": chunks = Int64(ref reader) ?? 0; break;
                case "frames": frames = Int64(ref reader) ?? 0; break;
                case "output_chars": chars = Int64(ref reader) ?? 0; break;
                default: reader.Skip(); break;
            }
        }

        return new DoneMetrics { TtftMs = ttft, TokensPerSecond = rate, DurationMs = duration ?? 0, Chunks = chunks, Frames = frames, OutputChars = chars };
    }

    private static void Limits(ref Utf8JsonReader reader, ref Fields f)
    {
        Expect(ref reader, JsonTokenType.StartObject);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string property = reader.GetString()!;
            reader.Read();
            switch (property)
            {
                case "max_frame_bytes": f.MaxFrameBytes = reader.GetInt32(); break;
                case "max_content_chars": f.MaxContentChars = reader.GetInt32(); break;
                case "max_active_turns": f.MaxActiveTurns = reader.GetInt32(); break;
                default: reader.Skip(); break;
            }
        }
    }

    private static void Server(ref Utf8JsonReader reader, ref Fields f)
    {
        Expect(ref reader, JsonTokenType.StartObject);
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            string property = reader.GetString()!;
            reader.Read();
            switch (property)
            {
                case "name": f.ServerName = String(ref reader); break;
                case "version": f.ServerVersion = String(ref reader); break;
                case "instance": f.ServerInstance = String(ref reader); break;
                default: reader.Skip(); break;
            }
        }
    }

    private static List<TurnCursor>? Cursors(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        Expect(ref reader, JsonTokenType.StartArray);
        var cursors = new List<TurnCursor>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            Expect(ref reader, JsonTokenType.StartObject);
            string? id = null, runId = null;
            long afterSeq = 0;
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                string property = reader.GetString()!;
                reader.Read();
                switch (property)
                {
                    case "id": id = String(ref reader); break;
                    case "run_id": runId = String(ref reader); break;
                    case "after_seq": afterSeq = Int64(ref reader) ?? 0; break;
                    default: reader.Skip(); break;
                }
            }

            if (id is not null)
            {
                cursors.Add(new TurnCursor(id, runId, afterSeq));
            }
        }

        return cursors;
    }

    private static void Expect(ref Utf8JsonReader reader, JsonTokenType type)
    {
        if (reader.TokenType != type)
        {
            throw new JsonException($"expected {type}");
        }
    }

    /// <summary>Every field a frame may carry, while its properties are read in whatever order they come.</summary>
    private struct Fields
    {
        public string? Type;
        public string? Id;
        public string? AgentId;
        public string? RunId;
        public long? Seq;
        public string? Content;
        public string? MessageId;
        public string? Status;
        public string? ToolCallId;
        public string? Name;
        public string? Arguments;
        public bool? Hidden;
        public long? ElapsedMs;
        public string? Result;
        public List<string>? Stdout;
        public List<string>? Stderr;
        public string? StopReason;
        public string? CancelledBy;
        public UsageInfo? Usage;
        public DoneMetrics? Metrics;
        public string? Code;
        public string? Message;
        public bool? Retryable;
        public long? RetryAfterMs;
        public string? Detail;
        public string? Protocol;
        public string? ConnectionId;
        public bool? Resumable;
        public bool? Conversations;
        public bool? Followed;
        public int MaxFrameBytes;
        public int MaxContentChars;
        public int MaxActiveTurns;
        public string? ServerName;
        public string? ServerVersion;
        public string? ServerInstance;
        public string? Reason;
        public List<TurnCursor>? Resume;
    }
}
