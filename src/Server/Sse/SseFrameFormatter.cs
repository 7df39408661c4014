using System.Buffers;
using System.Net.ServerSentEvents;
using System.Text.Encodings.Web;
using System.Text.Json;
using LettaSockets.Protocol.Chunks;
using LettaSockets.Protocol.Serialization;

namespace LettaSockets.Server.Sse;

/// <summary>
/// Writes the <c>data</c> of one SSE event in the seed's dialect (docs/PROTOCOL.md, "The tutorial's SSE dialect"): assistant text as
/// <c>{"type":"content","content":…}</c>, every other frame exactly as the WebSocket sends it (its
/// <c>done</c> and <c>error</c> keep the seed's <c>type</c>/<c>message</c> and add the rest). One per
/// request; not thread-safe (the SSE formatter calls it from one loop).
/// </summary>
internal sealed class SseFrameFormatter : IDisposable
{
    private static readonly JsonWriterOptions WriterOptions = new()
    {
        // Same escaping as the WebSocket frames: only what JSON requires; never embedded in HTML.
        Encoder = JavaScriptEncoder.UnsafeRelaxedJsonEscaping,
        SkipValidation = true,
    };

    private readonly FrameSerializer _frames = new();
    private Utf8JsonWriter? _json;

    public void Format(SseItem<StreamChunk> item, IBufferWriter<byte> destination)
    {
        StreamChunk chunk = item.Data;
        if (chunk.Kind == ChunkKind.Chunk)
        {
            WriteContent(chunk.Content ?? string.Empty, destination);
            return;
        }

        destination.Write(_frames.Write(chunk).Span);
    }

    public void Dispose()
    {
        _json?.Dispose();
        _frames.Dispose();
    }

    private void WriteContent(string content, IBufferWriter<byte> destination)
    {
        if (_json is null)
        {
            _json = new Utf8JsonWriter(destination, WriterOptions);
        }
        else
        {
            _json.Reset(destination);
        }

        _json.WriteStartObject();
        _json.WriteString("type"u8, "content"u8);
        _json.WriteString("content"u8, content);
        _json.WriteEndObject();
        _json.Flush();
    }
}
