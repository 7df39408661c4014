using System.Buffers;
using LettaSockets.Protocol.Chunks;

namespace LettaSockets.Server.Turns;

/// <summary>
/// Consecutive deltas of one message that the upstream delivered together — already read, nothing
/// waited for — joined into one chunk before they are queued: a burst then costs the queue, the byte
/// bounds and the writer one item instead of one per delta. The pump hands the batch over before it
/// waits for the upstream again, so no delta is held back for a later one and latency is unchanged.
/// Merged text stays within <see cref="MaxChars"/>, the writer's frame size; a larger delta is never
/// batched (the writer sends it in pieces). The joined text is built in a pooled buffer that is given
/// back at once. Off (every delta its own chunk) for a paced turn, whose pacer cuts the text to its
/// own pace anyway, and for hosts that keep one frame per upstream event (<see cref="ITurnHost.JoinsDeltas"/>).
/// </summary>
internal sealed class DeltaBatch(bool enabled)
{
    /// <summary>Text in one merged chunk at most: also the writer's largest frame (<c>SocketSession</c>).</summary>
    public const int MaxChars = 16 * 1024;

    private StreamChunk _first;
    private bool _holding;
    private char[]? _joined;
    private int _chars;
    private long _seq;

    /// <summary>Takes <paramref name="chunk"/> into the batch — it starts one, or continues the delta held —
    /// or returns false: then the batch must be handed over (<see cref="TryTake"/>) and the chunk tried again.</summary>
    public bool TryAdd(in StreamChunk chunk)
    {
        if (!enabled || !chunk.Kind.IsDelta() || chunk.Content is not { } text)
        {
            return false;
        }

        if (!_holding)
        {
            if (text.Length > MaxChars)
            {
                return false;
            }

            _first = chunk;
            _holding = true;
            _chars = text.Length;
            _seq = chunk.Seq;
            return true;
        }

        if (!_first.CanMergeWith(chunk) || _chars + text.Length > MaxChars)
        {
            return false;
        }

        if (_joined is null)
        {
            _joined = ArrayPool<char>.Shared.Rent(MaxChars);
            _first.Content!.CopyTo(_joined);
        }

        text.CopyTo(_joined.AsSpan(_chars));
        _chars += text.Length;
        _seq = chunk.Seq >= 0 ? chunk.Seq : _seq;
        return true;
    }

    /// <summary>The batch as one chunk (the first delta's fields, the joined text, the last seq), now empty.</summary>
    public bool TryTake(out StreamChunk chunk)
    {
        if (!_holding)
        {
            chunk = default;
            return false;
        }

        if (_joined is { } joined)
        {
            chunk = _first.WithContent(new string(joined, 0, _chars), _seq);
            _joined = null;
            ArrayPool<char>.Shared.Return(joined);
        }
        else
        {
            chunk = _first;
        }

        _first = default;
        _holding = false;
        return true;
    }

    /// <summary>Forgets the batch (a cancelled turn) and gives its buffer back.</summary>
    public void Clear()
    {
        if (_joined is { } joined)
        {
            _joined = null;
            ArrayPool<char>.Shared.Return(joined);
        }

        _first = default;
        _holding = false;
    }
}
