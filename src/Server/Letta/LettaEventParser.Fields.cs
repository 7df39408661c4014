using System.Text;
using System.Text.Json;
using LettaSockets.Protocol.Frames;
using LettaSockets.Server.Upstream;

namespace LettaSockets.Server.Letta;

public sealed partial class LettaEventParser
{
    private struct EventFields
    {
        public LettaEventKind Kind;
        public bool HasMessageType;
        public string? RunId, Otid, Id, Text, Name, ToolCallId, ToolReturn, Status, StopReason;
        public string? ErrorType, ErrorMessage, ErrorDetail, LegacyError, Code;
        public long Seq;
        public ToolCallDelta ToolCall;
        public ToolCallDelta[]? ToolCalls;
        public bool HasToolCalls;
        public List<string>? Stdout, Stderr;
        public long? PromptTokens, CompletionTokens, TotalTokens, StepCount, CachedInputTokens, CacheWriteTokens, ReasoningTokens, ContextTokens;
    }

    /// <summary>The event fields the parser keeps; both the reader path and the fast path dispatch on them.</summary>
    internal enum Field : byte
    {
        Other, MessageType, RunId, Otid, Id, SeqId, Text, ToolCalls, ToolCall, ToolReturn, Status, ToolCallId, Name,
        Stdout, Stderr, StopReason, ErrorType, Message, Detail, Code, Error,
        PromptTokens, CompletionTokens, TotalTokens, StepCount, CachedInputTokens, CacheWriteTokens, ReasoningTokens, ContextTokens,
    }

    internal static Field FieldOf(ReadOnlySpan<byte> name) => name.Length switch
    {
        // By length first: names the gateway ignores (date, sender_id, step_id, is_err, …) are most of an event's
        // fields, and each would otherwise be compared with every name below.
        2 => Is(name, "id"u8, Field.Id),
        4 => name.SequenceEqual("otid"u8) ? Field.Otid : name.SequenceEqual("name"u8) ? Field.Name : Is(name, "code"u8, Field.Code),
        5 => Is(name, "error"u8, Field.Error),
        6 => name.SequenceEqual("run_id"u8) ? Field.RunId
            : name.SequenceEqual("seq_id"u8) ? Field.SeqId
            : name.SequenceEqual("status"u8) ? Field.Status
            : name.SequenceEqual("stdout"u8) ? Field.Stdout
            : name.SequenceEqual("stderr"u8) ? Field.Stderr
            : Is(name, "detail"u8, Field.Detail),
        7 => name.SequenceEqual("content"u8) ? Field.Text : Is(name, "message"u8, Field.Message),
        9 => name.SequenceEqual("reasoning"u8) ? Field.Text : Is(name, "tool_call"u8, Field.ToolCall),
        10 => name.SequenceEqual("tool_calls"u8) ? Field.ToolCalls
            : name.SequenceEqual("error_type"u8) ? Field.ErrorType
            : Is(name, "step_count"u8, Field.StepCount),
        11 => name.SequenceEqual("tool_return"u8) ? Field.ToolReturn : Is(name, "stop_reason"u8, Field.StopReason),
        12 => name.SequenceEqual("message_type"u8) ? Field.MessageType
            : name.SequenceEqual("tool_call_id"u8) ? Field.ToolCallId
            : Is(name, "total_tokens"u8, Field.TotalTokens),
        13 => Is(name, "prompt_tokens"u8, Field.PromptTokens),
        14 => Is(name, "context_tokens"u8, Field.ContextTokens),
        16 => name.SequenceEqual("hidden_reasoning"u8) ? Field.Text : Is(name, "reasoning_tokens"u8, Field.ReasoningTokens),
        17 => Is(name, "completion_tokens"u8, Field.CompletionTokens),
        18 => Is(name, "cache_write_tokens"u8, Field.CacheWriteTokens),
        19 => Is(name, "cached_input_tokens"u8, Field.CachedInputTokens),
        _ => Field.Other,
    };

    private static Field Is(ReadOnlySpan<byte> name, ReadOnlySpan<byte> expected, Field field) =>
        name.SequenceEqual(expected) ? field : Field.Other;

    /// <summary>The cache of a field whose repeated values are re-used (ids and names), else null.</summary>
    private Utf8StringCache? CacheOf(Field field) => field switch
    {
        Field.RunId => _runIds,
        Field.Otid => _otids,
        Field.Id => _ids,
        Field.ToolCallId => _toolCallIds,
        Field.Name => _names,
        _ => null,
    };

    /// <summary>Where a plain string field goes (cached ids excluded).</summary>
    private static ref string? StringOf(ref EventFields f, Field field)
    {
        switch (field)
        {
            case Field.RunId: return ref f.RunId;
            case Field.Otid: return ref f.Otid;
            case Field.Id: return ref f.Id;
            case Field.ToolCallId: return ref f.ToolCallId;
            case Field.Name: return ref f.Name;
            case Field.Text: return ref f.Text;
            case Field.ToolReturn: return ref f.ToolReturn;
            case Field.Status: return ref f.Status;
            case Field.StopReason: return ref f.StopReason;
            case Field.ErrorType: return ref f.ErrorType;
            case Field.Message: return ref f.ErrorMessage;
            case Field.Detail: return ref f.ErrorDetail;
            case Field.Code: return ref f.Code;
            default: throw new ArgumentOutOfRangeException(nameof(field));
        }
    }

    /// <summary>Where a usage count goes.</summary>
    private static ref long? CountOf(ref EventFields f, Field field)
    {
        switch (field)
        {
            case Field.PromptTokens: return ref f.PromptTokens;
            case Field.CompletionTokens: return ref f.CompletionTokens;
            case Field.TotalTokens: return ref f.TotalTokens;
            case Field.StepCount: return ref f.StepCount;
            case Field.CachedInputTokens: return ref f.CachedInputTokens;
            case Field.CacheWriteTokens: return ref f.CacheWriteTokens;
            case Field.ReasoningTokens: return ref f.ReasoningTokens;
            case Field.ContextTokens: return ref f.ContextTokens;
            default: throw new ArgumentOutOfRangeException(nameof(field));
        }
    }

    private void ReadProperty(ref Utf8JsonReader reader, ref EventFields f)
    {
        Field field = FieldOf(reader.ValueSpan);
        reader.Read();
        switch (field)
        {
            case Field.MessageType: f.HasMessageType = true; f.Kind = KindOf(ref reader); break;
            case Field.RunId or Field.Otid or Field.Id or Field.ToolCallId or Field.Name: StringOf(ref f, field) = CacheOf(field)!.Read(ref reader); break;
            case Field.SeqId: f.Seq = reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long s) ? s : -1; break;
            case Field.Text or Field.ToolReturn: StringOf(ref f, field) = ReadText(ref reader); break;
            case Field.ToolCalls: ReadToolCalls(ref reader, ref f, primary: true); break;
            case Field.ToolCall: ReadToolCalls(ref reader, ref f, primary: false); break;
            case Field.Status or Field.StopReason or Field.ErrorType or Field.Message or Field.Detail or Field.Code: StringOf(ref f, field) = ReadString(ref reader); break;
            case Field.Stdout: f.Stdout = ReadLines(ref reader); break;
            case Field.Stderr: f.Stderr = ReadLines(ref reader); break;
            case Field.Error: ReadLegacyError(ref reader, ref f); break;
            case >= Field.PromptTokens: CountOf(ref f, field) = ReadLong(ref reader); break;
            default: reader.Skip(); break;
        }
    }

    private static LettaEventKind KindOf(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.String)
        {
            reader.Skip();
            return LettaEventKind.Other;
        }

        return KindOf(reader.ValueSpan);
    }

    private static LettaEvent Build(ref EventFields f, bool isError)
    {
        if (isError || f.Kind == LettaEventKind.Error || f.LegacyError is not null && !f.HasMessageType)
        {
            // error_message (0.15+), {"error":{type,message,detail}} (≤0.14), or the generic
            // transport error {"error":"…","code":"INTERNAL_SERVER_ERROR"} (Letta docs: guides/agents/streaming).
            var error = new LettaError(f.ErrorType ?? f.Code, f.ErrorMessage ?? f.LegacyError, f.ErrorDetail);
            return new LettaEvent(LettaEventKind.Error) { RunId = f.RunId, Seq = f.Seq, Error = error };
        }

        var e = new LettaEvent(f.Kind) { RunId = f.RunId, Otid = f.Otid, Id = f.Id, Seq = f.Seq };
        return f.Kind switch
        {
            LettaEventKind.Assistant or LettaEventKind.Reasoning or LettaEventKind.HiddenReasoning => e with { Text = f.Text },
            LettaEventKind.ToolCall or LettaEventKind.ApprovalRequest => e with { ToolCall = f.ToolCall, ToolCalls = f.ToolCalls },
            LettaEventKind.ToolReturn => e with
            {
                ToolReturn = new ToolResultInfo(f.ToolCallId ?? "", f.Name, f.Status ?? "success", f.ToolReturn)
                {
                    Stdout = f.Stdout,
                    Stderr = f.Stderr,
                },
            },
            LettaEventKind.StopReason => e with { StopReason = f.StopReason },
            LettaEventKind.Usage => e with
            {
                Usage = new UsageInfo
                {
                    PromptTokens = f.PromptTokens,
                    CompletionTokens = f.CompletionTokens,
                    TotalTokens = f.TotalTokens,
                    StepCount = f.StepCount,
                    CachedInputTokens = f.CachedInputTokens,
                    CacheWriteTokens = f.CacheWriteTokens,
                    ReasoningTokens = f.ReasoningTokens,
                    ContextTokens = f.ContextTokens,
                },
            },
            _ => e,
        };
    }

    private void ReadToolCalls(ref Utf8JsonReader reader, ref EventFields f, bool primary)
    {
        // tool_calls wins over the deprecated tool_call; both may be present (Letta docs: guides/agents/streaming).
        if (!primary && f.HasToolCalls)
        {
            reader.Skip();
            return;
        }

        if (reader.TokenType == JsonTokenType.StartObject)
        {
            f.ToolCall = ReadToolCall(ref reader);
            f.ToolCalls = null;
            f.HasToolCalls = primary;
        }
        else if (reader.TokenType == JsonTokenType.StartArray)
        {
            var calls = new List<ToolCallDelta>();
            while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
            {
                if (reader.TokenType == JsonTokenType.StartObject)
                {
                    calls.Add(ReadToolCall(ref reader));
                }
                else
                {
                    reader.Skip();
                }
            }

            f.ToolCalls = calls.ToArray();
            f.ToolCall = calls.Count > 0 ? calls[0] : default;
            f.HasToolCalls = primary;
        }
        else
        {
            reader.Skip();
        }
    }

    private static ToolCallDelta ToolCallFrom(string? id, string? name, string? arguments) => new(id, name, arguments);

    private ToolCallDelta ReadToolCall(ref Utf8JsonReader reader)
    {
        string? id = null, name = null, arguments = null;
        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            ReadOnlySpan<byte> prop = reader.ValueSpan;
            reader.Read();
            if (prop.SequenceEqual("tool_call_id"u8)) id = _toolCallIds.Read(ref reader);
            else if (prop.SequenceEqual("name"u8)) name = _names.Read(ref reader);
            else if (prop.SequenceEqual("arguments"u8)) arguments = ReadString(ref reader);
            else reader.Skip();
        }

        return ToolCallFrom(id, name, arguments);
    }

    private static void ReadLegacyError(ref Utf8JsonReader reader, ref EventFields f)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            f.LegacyError = reader.GetString();
            return;
        }

        if (reader.TokenType != JsonTokenType.StartObject)
        {
            reader.Skip();
            return;
        }

        while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
        {
            ReadOnlySpan<byte> prop = reader.ValueSpan;
            reader.Read();
            if (prop.SequenceEqual("type"u8)) f.ErrorType = ReadString(ref reader);
            else if (prop.SequenceEqual("message"u8)) f.LegacyError = ReadString(ref reader);
            else if (prop.SequenceEqual("detail"u8)) f.ErrorDetail = ReadString(ref reader);
            else reader.Skip();
        }

        f.LegacyError ??= f.ErrorType ?? "error";
    }

    private static string? ReadString(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.GetString();
        }

        reader.Skip();
        return null;
    }

    /// <summary>A string, or the concatenated <c>text</c> of an array of content parts.</summary>
    private static string? ReadText(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            return ReadString(ref reader);
        }

        var text = new StringBuilder();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType != JsonTokenType.StartObject)
            {
                if (reader.TokenType == JsonTokenType.String)
                {
                    text.Append(reader.GetString());
                }
                else
                {
                    reader.Skip();
                }

                continue;
            }

            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                bool isText = reader.ValueTextEquals("text"u8);
                reader.Read();
                if (isText && reader.TokenType == JsonTokenType.String)
                {
                    text.Append(reader.GetString());
                }
                else
                {
                    reader.Skip();
                }
            }
        }

        return text.ToString();
    }

    private static List<string>? ReadLines(ref Utf8JsonReader reader)
    {
        if (reader.TokenType != JsonTokenType.StartArray)
        {
            reader.Skip();
            return null;
        }

        var lines = new List<string>();
        while (reader.Read() && reader.TokenType != JsonTokenType.EndArray)
        {
            if (reader.TokenType == JsonTokenType.String)
            {
                lines.Add(reader.GetString()!);
            }
            else
            {
                reader.Skip();
            }
        }

        return lines;
    }

    private static long? ReadLong(ref Utf8JsonReader reader) =>
        reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long v) ? v : null;
}
