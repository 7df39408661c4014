using System.Diagnostics;

namespace LettaSockets.Bench.Load;

/// <summary>Per-delta latencies in Stopwatch ticks; one list per connection, merged at the end.</summary>
internal sealed class LatencySamples
{
    private long[] _values;

    public LatencySamples(int capacity = 256) => _values = new long[Math.Max(capacity, 16)];

    public int Count { get; private set; }

    /// <summary>The first recorded latency (ticks): a turn's first delta.</summary>
    public long First => Count > 0 ? _values[0] : throw new InvalidOperationException("No samples.");

    public void Add(long ticks)
    {
        if (Count == _values.Length)
        {
            Array.Resize(ref _values, _values.Length * 2);
        }

        _values[Count++] = ticks;
    }

    public static LatencySummary Summarize(IEnumerable<LatencySamples> parts)
    {
        var all = new List<long>();
        foreach (LatencySamples part in parts)
        {
            all.AddRange(part._values.AsSpan(0, part.Count).ToArray());
        }

        if (all.Count == 0)
        {
            return new LatencySummary(0, 0, 0, 0, 0);
        }

        long[] sorted = [.. all];
        Array.Sort(sorted);
        return new LatencySummary(sorted.Length, Ms(Percentile(sorted, 0.50)), Ms(Percentile(sorted, 0.99)), Ms(Percentile(sorted, 0.999)), Ms(sorted[^1]));
    }

    private static long Percentile(long[] sorted, double p) => sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];

    private static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}

/// <summary>Per-delta latency, in milliseconds.</summary>
internal readonly record struct LatencySummary(int Samples, double P50, double P99, double P999, double Max);
