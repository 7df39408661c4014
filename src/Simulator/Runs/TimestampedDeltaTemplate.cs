using System.Buffers.Text;
using LettaSockets.Simulator.Wire;

namespace LettaSockets.Simulator.Runs;

/// <summary>
/// Renders benchmark deltas without serializing each one: the frame around the content is rendered
/// once per second (the date changes) and each delta only writes its timestamp and padding.
/// </summary>
internal sealed class TimestampedDeltaTemplate(FrameWriter frames, Envelope envelope, TimeProvider time)
{
    private static readonly byte[] s_marker = "\u00a7\u00a7"u8.ToArray();

    private long _second = long.MinValue;
    private byte[] _prefix = [];
    private byte[] _suffix = [];

    public byte[] Render(long timestamp, int size)
    {
        var second = time.GetUtcNow().ToUnixTimeSeconds();
        if (second != _second)
        {
            var frame = frames.Assistant(envelope, "\u00a7\u00a7");
            var at = frame.AsSpan().IndexOf(s_marker);
            _prefix = frame[..at];
            _suffix = frame[(at + s_marker.Length)..];
            _second = second;
        }

        Span<byte> digits = stackalloc byte[20];
        Utf8Formatter.TryFormat(timestamp, digits, out var digitCount);
        var contentLength = Math.Max(size, digitCount + 1);
        var result = new byte[_prefix.Length + contentLength + _suffix.Length];
        var span = result.AsSpan();
        _prefix.CopyTo(span);
        span = span[_prefix.Length..];
        digits[..digitCount].CopyTo(span);
        span[digitCount] = (byte)'|';
        span[(digitCount + 1)..contentLength].Fill((byte)'x');
        _suffix.CopyTo(span[contentLength..]);
        return result;
    }

    /// <summary>The same content as a string, for paths that serialize normally (background runs).</summary>
    public static string Content(long timestamp, int size)
    {
        var text = timestamp.ToString(System.Globalization.CultureInfo.InvariantCulture) + "|";
        return text.Length >= size ? text : text.PadRight(size, 'x');
    }
}
