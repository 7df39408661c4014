using System.Text;

namespace LettaSockets.Simulator;

/// <summary>
/// One SSE frame a run produced, exactly as sent (<c>data: …\n\n</c>, or <c>event: error\n…</c>).
/// <see cref="SeqId"/> is the <c>seq_id</c> written into the JSON (background runs, payloads that have the field).
/// </summary>
public readonly record struct RunChunk(RunChunkKind Kind, long? SeqId, ReadOnlyMemory<byte> Frame)
{
    public string Text => Encoding.UTF8.GetString(Frame.Span);

    /// <summary>The JSON after <c>data: </c>; null for <c>[DONE]</c>.</summary>
    public string? Json
    {
        get
        {
            if (Kind == RunChunkKind.Done)
            {
                return null;
            }

            var text = Text;
            var start = text.IndexOf("data: ", StringComparison.Ordinal) + "data: ".Length;
            return text[start..].TrimEnd('\n');
        }
    }
}
