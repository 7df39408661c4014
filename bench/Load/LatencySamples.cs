using System.Diagnostics;

namespace LettaSockets.Bench.Load;

/// <summary>Per-delta latencies in Stopwatch ticks; one list per connection, merged at the end.</summary>
internal sealed class LatencySamples
{
    private long[] _values;
    private long[]? _arrivals;

    public LatencySamples(int capacity = 256, bool timeline = false)
    {
        _values = new long[Math.Max(capacity, 16)];
        _arrivals = timeline ? new long[_values.Length] : null;
    }

    public int Count { get; private set; }

    /// <summary>The first recorded latency (ticks): a turn's first delta.</summary>
    public long First => Count > 0 ? _values[0] : throw new InvalidOperationException("No samples.");

    public void Add(long ticks, long arrivedAt = 0)
    {
        if (Count == _values.Length)
        {
            Array.Resize(ref _values, _values.Length * 2);
            if (_arrivals is not null)
            {
                Array.Resize(ref _arrivals, _values.Length);
            }
        }

        if (_arrivals is not null)
        {
            _arrivals[Count] = arrivedAt;
        }

        _values[Count++] = ticks;
    }

    /// <summary>
    /// Where in a measurement its slow samples fall: per <paramref name="bucket"/> from <paramref name="start"/>,
    /// the samples, how many took longer than <paramref name="slowMs"/> and the slowest. Needs samples made with a timeline.
    /// </summary>
    public static IReadOnlyList<TimelineBucket> Timeline(IEnumerable<LatencySamples> parts, long start, TimeSpan bucket, double slowMs)
    {
        long width = (long)(bucket.TotalSeconds * Stopwatch.Frequency);
        long slow = (long)(slowMs * Stopwatch.Frequency / 1000);
        var buckets = new SortedDictionary<int, (int Count, int Slow, long Max)>();
        foreach (LatencySamples part in parts)
        {
            if (part._arrivals is null)
            {
                continue;
            }

            for (int i = 0; i < part.Count; i++)
            {
                int index = (int)Math.Max(0, (part._arrivals[i] - start) / width);
                buckets.TryGetValue(index, out (int Count, int Slow, long Max) b);
                long value = part._values[i];
                buckets[index] = (b.Count + 1, b.Slow + (value > slow ? 1 : 0), Math.Max(b.Max, value));
            }
        }

        return [.. buckets.Select(b => new TimelineBucket(b.Key * bucket.TotalSeconds, b.Value.Count, b.Value.Slow, Ms(b.Value.Max)))];
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

/// <summary>One slice of a measurement: from <paramref name="AtSeconds"/>, its samples, the slow ones, the slowest (ms).</summary>
internal readonly record struct TimelineBucket(double AtSeconds, int Samples, int Slow, double MaxMs);

/// <summary>Per-delta latency, in milliseconds.</summary>
internal readonly record struct LatencySummary(int Samples, double P50, double P99, double P999, double Max);
