using System.Text;

namespace LettaSockets.Bench.Load;

/// <summary>
/// Recognises gateway frames by their first field (the serializer always writes <c>type</c> first)
/// and reads the odd field the scenarios need, without parsing the whole JSON.
/// </summary>
internal static class GatewayFrames
{
    public static FrameType TypeOf(ReadOnlySpan<byte> frame)
    {
        if (!frame.StartsWith("{\"type\":\""u8))
        {
            return FrameType.Other;
        }

        ReadOnlySpan<byte> rest = frame[9..];
        if (rest.StartsWith("chunk\""u8))
        {
            return FrameType.Chunk;
        }

        if (rest.StartsWith("status\""u8))
        {
            return FrameType.Status;
        }

        if (rest.StartsWith("done\""u8))
        {
            return FrameType.Done;
        }

        if (rest.StartsWith("error\""u8))
        {
            return FrameType.Error;
        }

        if (rest.StartsWith("pong\""u8))
        {
            return FrameType.Pong;
        }

        return rest.StartsWith("ready\""u8) ? FrameType.Ready : FrameType.Other;
    }

    /// <summary>The string value of <c>"<paramref name="name"/>":"…"</c>, or null.</summary>
    public static string? StringField(ReadOnlySpan<byte> frame, string name)
    {
        byte[] key = Encoding.UTF8.GetBytes($"\"{name}\":\"");
        int at = frame.IndexOf(key);
        if (at < 0)
        {
            return null;
        }

        ReadOnlySpan<byte> value = frame[(at + key.Length)..];
        int end = value.IndexOf((byte)'"');
        return end < 0 ? null : Encoding.UTF8.GetString(value[..end]);
    }
}

internal enum FrameType
{
    Other,
    Ready,
    Status,
    Chunk,
    Done,
    Error,
    Pong,
}
