using System.Globalization;
using System.Text;

namespace LettaSockets.Simulator.Wire;

/// <summary>Letta's message date format: seconds precision, always <c>+00:00</c> (Letta's event payloads).</summary>
internal static class LettaDate
{
    private const string Format = "yyyy-MM-dd'T'HH:mm:ss'+00:00'";

    private static Entry? s_last;

    public static string ToWire(DateTimeOffset time) =>
        time.UtcDateTime.ToString(Format, CultureInfo.InvariantCulture);

    /// <summary>The UTF-8 bytes of <paramref name="time"/>, cached per second so hot paths do not allocate.</summary>
    public static byte[] ToUtf8(DateTimeOffset time)
    {
        var second = time.ToUnixTimeSeconds();
        var last = s_last;
        if (last is not null && last.Second == second)
        {
            return last.Utf8;
        }

        var entry = new Entry(second, Encoding.UTF8.GetBytes(ToWire(time)));
        s_last = entry;
        return entry.Utf8;
    }

    private sealed record Entry(long Second, byte[] Utf8);
}
