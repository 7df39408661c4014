namespace LettaSockets.Bench.Load;

/// <summary>
/// Finds the Bench agent's deltas in received bytes. Every delta is <c>&lt;timestamp&gt;|xxx…</c>, where the
/// timestamp is the simulator's <c>Stopwatch.GetTimestamp()</c> (CLOCK_MONOTONIC, comparable across
/// processes) when it rendered the delta. Merged frames hold several deltas back to back, so one
/// <c>|</c> is one delta wherever it lands. Works on whole WebSocket frames and on an SSE byte stream
/// cut anywhere (a timestamp split across two reads is carried over).
/// </summary>
internal static class ChunkScanner
{
    /// <summary>Deltas in <paramref name="data"/>, without reading their timestamps (vectorized).</summary>
    public static int Count(ReadOnlySpan<byte> data) => data.Count((byte)'|');

    /// <summary>
    /// Counts deltas and records <c>receivedAt − timestamp</c> of each into <paramref name="samples"/>,
    /// after skipping the first <paramref name="skip"/> (warm-up) of the turn.
    /// </summary>
    public static int Scan(ReadOnlySpan<byte> data, long receivedAt, ref DigitCarry carry, ref int skip, LatencySamples samples)
    {
        int count = 0;
        int position = 0;
        while (true)
        {
            int offset = data[position..].IndexOf((byte)'|');
            if (offset < 0)
            {
                break;
            }

            int bar = position + offset;
            count++;
            if (skip > 0)
            {
                skip--;
            }
            else
            {
                int first = bar;
                while (first > 0 && IsDigit(data[first - 1]))
                {
                    first--;
                }

                long timestamp = Parse(data[first..bar]);
                if (first == 0 && carry.Digits > 0)
                {
                    timestamp = carry.Value * Pow10(bar) + timestamp;
                }

                samples.Add(receivedAt - timestamp, receivedAt);
            }

            position = bar + 1;
        }

        // Digits at the very end may be the start of the next read's timestamp.
        int tail = data.Length;
        while (tail > position && IsDigit(data[tail - 1]))
        {
            tail--;
        }

        long trailing = Parse(data[tail..]);
        int digits = data.Length - tail;
        carry = tail == 0 && position == 0 && carry.Digits > 0
            ? new DigitCarry(carry.Value * Pow10(digits) + trailing, carry.Digits + digits)
            : new DigitCarry(trailing, digits);
        return count;
    }

    private static bool IsDigit(byte b) => (uint)(b - '0') <= 9;

    private static long Parse(ReadOnlySpan<byte> digits)
    {
        long value = 0;
        foreach (byte b in digits)
        {
            value = (value * 10) + (b - '0');
        }

        return value;
    }

    private static long Pow10(int exponent)
    {
        long value = 1;
        for (int i = 0; i < exponent; i++)
        {
            value *= 10;
        }

        return value;
    }
}

/// <summary>Trailing digits of the previous read.</summary>
internal readonly record struct DigitCarry(long Value, int Digits);
