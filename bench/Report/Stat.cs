using System.Globalization;

namespace LettaSockets.Bench.Report;

/// <summary>Min, median and max of one figure over the runs.</summary>
internal readonly record struct Stat(double Min, double Median, double Max, int Runs)
{
    public static Stat Of(IEnumerable<double> values)
    {
        double[] sorted = [.. values.Order()];
        if (sorted.Length == 0)
        {
            return new Stat(double.NaN, double.NaN, double.NaN, 0);
        }

        double median = sorted.Length % 2 == 1
            ? sorted[sorted.Length / 2]
            : (sorted[(sorted.Length / 2) - 1] + sorted[sorted.Length / 2]) / 2;
        return new Stat(sorted[0], median, sorted[^1], sorted.Length);
    }

    public bool HasValue => Runs > 0;

    /// <summary><c>median (min–max)</c>, or just the value for a single run.</summary>
    public string Format(string format, string unit = "")
    {
        if (!HasValue)
        {
            return "–";
        }

        string median = Median.ToString(format, CultureInfo.InvariantCulture) + unit;
        return Runs == 1 || Min.ToString(format, CultureInfo.InvariantCulture) == Max.ToString(format, CultureInfo.InvariantCulture)
            ? median
            : $"{median} ({Min.ToString(format, CultureInfo.InvariantCulture)}–{Max.ToString(format, CultureInfo.InvariantCulture)})";
    }
}
