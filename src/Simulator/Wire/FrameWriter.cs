using System.Buffers;
using System.Text.Json;

namespace LettaSockets.Simulator.Wire;

/// <summary>
/// Renders complete SSE frames (<c>data: {json}\n\n</c>) in Letta's key order (Letta's event payloads). One instance per
/// run; reuses its buffers, so it is not thread-safe.
/// </summary>
internal sealed partial class FrameWriter
{
    private static readonly JsonWriterOptions s_options = new() { Encoder = LettaJsonEncoder.Instance };

    private readonly ArrayBufferWriter<byte> _buffer = new(512);
    private readonly Utf8JsonWriter _json;
    private readonly TimeProvider _time;

    public FrameWriter(TimeProvider time)
    {
        _time = time;
        _json = new Utf8JsonWriter(_buffer, s_options);
    }

    public byte[] Ping(string runId, long? seqId)
    {
        BeginMessage(new Envelope(LettaIds.NewPingId(), null, null, null, seqId, runId), "ping");
        return End();
    }

    public byte[] Reasoning(in Envelope envelope, string text, string source)
    {
        BeginMessage(envelope, "reasoning_message");
        _json.WriteString("source"u8, source);
        _json.WriteString("reasoning"u8, text);
        _json.WriteNull("signature"u8);
        return End();
    }

    public byte[] HiddenReasoning(in Envelope envelope, string state, string? text)
    {
        BeginMessage(envelope, "hidden_reasoning_message");
        _json.WriteString("state"u8, state);
        WriteNullable("hidden_reasoning"u8, text);
        return End();
    }

    public byte[] Assistant(in Envelope envelope, string content)
    {
        BeginMessage(envelope, "assistant_message");
        _json.WriteString("content"u8, content);
        return End();
    }

    public byte[] StopReason(string reason)
    {
        Begin();
        _json.WriteStartObject();
        _json.WriteString("message_type"u8, "stop_reason"u8);
        _json.WriteString("stop_reason"u8, reason);
        return End();
    }

    public byte[] Usage(in UsageTotals usage)
    {
        Begin();
        _json.WriteStartObject();
        _json.WriteString("message_type"u8, "usage_statistics"u8);
        _json.WriteNumber("completion_tokens"u8, usage.CompletionTokens);
        _json.WriteNumber("prompt_tokens"u8, usage.PromptTokens);
        _json.WriteNumber("total_tokens"u8, usage.CompletionTokens + usage.PromptTokens);
        _json.WriteNumber("step_count"u8, usage.StepCount);
        _json.WriteNull("run_ids"u8);
        WriteNullable("cached_input_tokens"u8, usage.CachedInputTokens);
        WriteNullable("cache_write_tokens"u8, usage.CacheWriteTokens);
        WriteNullable("reasoning_tokens"u8, usage.ReasoningTokens);
        WriteNullable("context_tokens"u8, usage.ContextTokens);
        return End();
    }

    /// <summary>Letta's event payloads error_message, always under <c>event: error</c>.</summary>
    public byte[] ErrorMessage(string runId, string errorType, string message, string? detail, long? seqId)
    {
        Begin("event: error\ndata: "u8);
        _json.WriteStartObject();
        _json.WriteString("message_type"u8, "error_message"u8);
        _json.WriteString("run_id"u8, runId);
        _json.WriteString("error_type"u8, errorType);
        _json.WriteString("message"u8, message);
        WriteNullable("detail"u8, detail);
        WriteNullable("seq_id"u8, seqId);
        return End();
    }

    private void Begin() => Begin("data: "u8);

    private void Begin(ReadOnlySpan<byte> prefix)
    {
        _buffer.ResetWrittenCount();
        _buffer.Write(prefix);
        _json.Reset(_buffer);
    }

    /// <summary>Letta's event payloads: every key present, in this order, null where absent.</summary>
    private void BeginMessage(in Envelope envelope, string messageType)
    {
        Begin();
        _json.WriteStartObject();
        _json.WriteString("id"u8, envelope.Id);
        _json.WriteString("date"u8, LettaDate.ToUtf8(_time.GetUtcNow()));
        WriteNullable("name"u8, envelope.Name);
        _json.WriteString("message_type"u8, messageType);
        WriteNullable("otid"u8, envelope.Otid);
        _json.WriteNull("sender_id"u8);
        WriteNullable("step_id"u8, envelope.StepId);
        _json.WriteNull("is_err"u8);
        WriteNullable("seq_id"u8, envelope.SeqId);
        _json.WriteString("run_id"u8, envelope.RunId);
    }

    private byte[] End()
    {
        _json.WriteEndObject();
        _json.Flush();
        _buffer.Write("\n\n"u8);
        return _buffer.WrittenSpan.ToArray();
    }

    private void WriteNullable(ReadOnlySpan<byte> name, string? value)
    {
        if (value is null)
        {
            _json.WriteNull(name);
        }
        else
        {
            _json.WriteString(name, value);
        }
    }

    private void WriteNullable(ReadOnlySpan<byte> name, long? value)
    {
        if (value is { } number)
        {
            _json.WriteNumber(name, number);
        }
        else
        {
            _json.WriteNull(name);
        }
    }

    private void WriteNullable(ReadOnlySpan<byte> name, int? value) => WriteNullable(name, (long?)value);
}
