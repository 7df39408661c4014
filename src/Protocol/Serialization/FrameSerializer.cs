using System.Diagnostics;
using System.Text.Encodings.Web;
using System.Text.Json;
using LettaSockets.Protocol.Chunks;
using LettaSockets.Protocol.Frames;

namespace LettaSockets.Protocol.Serialization;

/// <summary>
/// Writes server frames (docs/PROTOCOL.md, "Receiving") as compact UTF-8 JSON into a pooled buffer. One per
/// connection writer; not thread-safe. Consecutive deltas of one message can be merged into one
/// frame without building a joined string (<see cref="AppendDelta"/>).
/// </summary>
public sealed partial class FrameSerializer : IDisposable
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Frames go to JSON parsers, never into HTML, so only what JSON requires is escaped.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    private readonly PooledBufferWriter _buffer = new();
    private readonly Utf8JsonWriter _json;
    private long _pendingSeq = -1;

    // The ids every frame of a turn repeats, escaped and UTF-8 encoded once per turn (or message)
    // instead of once per frame.
    private EncodedString _turnId, _agentId, _runId, _messageId;

    public FrameSerializer() => _json = new Utf8JsonWriter(_buffer, WriterOptions);

    /// <summary>Writes one whole frame, replacing whatever was written before.</summary>
    public ReadOnlyMemory<byte> Write(in StreamChunk chunk)
    {
        if (chunk.Kind.IsDelta())
        {
            BeginDelta(chunk);
            return EndDelta();
        }

        Start();
        switch (chunk.Kind)
        {
            case ChunkKind.Ready: WriteReady((ReadyInfo)chunk.Payload!); break;
            case ChunkKind.Status: WriteStatus(chunk); break;
            case ChunkKind.ToolResult: WriteToolResult(chunk); break;
            case ChunkKind.ApprovalRequest: WriteApproval(chunk); break;
            case ChunkKind.Done: WriteDone(chunk); break;
            case ChunkKind.Error: WriteError(chunk); break;
            case ChunkKind.Pong: WritePong(chunk); break;
            case ChunkKind.Shutdown: WriteShutdown((ShutdownInfo)chunk.Payload!); break;
            case ChunkKind.History: WriteHistory((HistoryInfo)chunk.Payload!); break;
            case ChunkKind.Following: WriteFollowing((FollowInfo)chunk.Payload!); break;
            default: throw new UnreachableException($"Unhandled chunk kind {chunk.Kind}.");
        }

        return Finish();
    }

    /// <summary>Starts a delta frame whose text may be extended by <see cref="AppendDelta"/>.</summary>
    public void BeginDelta(in StreamChunk chunk) => BeginDelta(chunk, 0, chunk.Content?.Length ?? 0);

    /// <summary>Starts a delta frame with part of a chunk's text, <paramref name="length"/> characters from
    /// <paramref name="start"/>: one delta sent as several frames. Only the frame that ends the text carries
    /// the chunk's <c>seq</c> (a cursor must not skip the rest). The caller cuts between UTF-16 surrogates
    /// never, so every frame's text is valid on its own.</summary>
    public void BeginDelta(in StreamChunk chunk, int start, int length)
    {
        Start();
        switch (chunk.Kind)
        {
            case ChunkKind.Chunk:
                WriteHeader("chunk"u8, chunk.Turn);
                WriteCached("message_id"u8, ref _messageId, chunk.MessageId);
                _json.WritePropertyName("content"u8);
                break;
            case ChunkKind.Reasoning:
                WriteHeader("reasoning"u8, chunk.Turn);
                WriteCached("message_id"u8, ref _messageId, chunk.MessageId);
                _json.WriteBoolean("hidden"u8, chunk.Flag);
                _json.WritePropertyName("content"u8);
                break;
            case ChunkKind.ToolCall:
                WriteHeader("tool_call"u8, chunk.Turn);
                _json.WriteString("tool_call_id"u8, chunk.MessageId);
                if (chunk.Name is not null)
                {
                    _json.WriteString("name"u8, chunk.Name);
                }

                _json.WritePropertyName("arguments"u8);
                break;
            default:
                throw new ArgumentException($"{chunk.Kind} is not a delta.", nameof(chunk));
        }

        ReadOnlySpan<char> content = (chunk.Content ?? string.Empty).AsSpan();
        _json.WriteStringValueSegment(content.Slice(start, length), isFinalSegment: false);
        _pendingSeq = start + length == content.Length ? chunk.Seq : -1;
    }

    /// <summary>Appends the text of a chunk that <see cref="StreamChunk.CanMergeWith"/> the started one.</summary>
    public void AppendDelta(in StreamChunk next)
    {
        _json.WriteStringValueSegment((next.Content ?? string.Empty).AsSpan(), isFinalSegment: false);
        _pendingSeq = next.Seq;
    }

    /// <summary>Completes the delta frame; its <c>seq</c> is the last merged chunk's.</summary>
    public ReadOnlyMemory<byte> EndDelta()
    {
        _json.WriteStringValueSegment(ReadOnlySpan<char>.Empty, isFinalSegment: true);
        WriteSeq(_pendingSeq);
        return Finish();
    }

    /// <summary>Returns the pooled buffer while the connection is idle.</summary>
    public void ReleaseBuffer() => _buffer.Release();

    public void Dispose()
    {
        _json.Dispose();
        _buffer.Dispose();
    }

    private void Start()
    {
        _buffer.Clear();
        _json.Reset(_buffer);
        _json.WriteStartObject();
    }

    private ReadOnlyMemory<byte> Finish()
    {
        _json.WriteEndObject();
        _json.Flush();
        return _buffer.WrittenMemory;
    }

    private void WriteHeader(ReadOnlySpan<byte> type, TurnInfo? turn)
    {
        _json.WriteString("type"u8, type);
        if (turn is null)
        {
            return;
        }

        WriteCached("id"u8, ref _turnId, turn.Id);
        WriteCached("agent_id"u8, ref _agentId, turn.AgentId);
        if (turn.Followed)
        {
            _json.WriteBoolean("followed"u8, true);
        }

        if (turn.RunId is { } runId)
        {
            WriteCached("run_id"u8, ref _runId, runId);
        }
    }

    /// <summary>Writes <c>"name":"value"</c> like <see cref="Utf8JsonWriter.WriteString(ReadOnlySpan{byte}, string?)"/>, re-using the encoding of the same string from the frame before.</summary>
    private void WriteCached(ReadOnlySpan<byte> name, ref EncodedString cache, string? value)
    {
        if (value is null || value.AsSpan().ContainsAnyInRange('\uD800', '\uDFFF'))
        {
            // Surrogates (and so possibly invalid UTF-16, which the writer replaces but
            // JsonEncodedText refuses) take the writer's own path.
            _json.WriteString(name, value);
            return;
        }

        if (!ReferenceEquals(cache.Value, value))
        {
            cache = new EncodedString(value, JsonEncodedText.Encode(value, WriterOptions.Encoder));
        }

        _json.WriteString(name, cache.Encoded);
    }

    private void WriteSeq(long seq)
    {
        if (seq >= 0)
        {
            _json.WriteNumber("seq"u8, seq);
        }
    }

    /// <summary>A string and its JSON encoding (escaped with the writer's encoder, so the bytes are the same).</summary>
    private readonly record struct EncodedString(string? Value, JsonEncodedText Encoded);
}
