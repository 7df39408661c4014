using System.Globalization;
using System.Text;
using LettaSockets.Bench.Harness;

namespace LettaSockets.Bench.Report;

/// <summary>
/// Draws <c>bench/results/chart.svg</c> from the measured numbers: throughput, p99 latency per load
/// level (log scale) and memory per idle connection, each next to the reference design and the goal.
/// Bars are medians; whiskers span min–max of the runs.
/// </summary>
internal static class ChartWriter
{
    private const int PanelWidth = 300;
    private const int Height = 330;
    private const int Top = 50;
    private const int Bottom = 270;
    private const string Gateway = "#2b6cb0";
    private const string Direct = "#9ac1e6";
    private const string RelayColor = "#6a9fd4";
    private const string ReferenceColor = "#c8c8c8";
    private const string GoalColor = "#d9480f";

    public static string ChartPath => Path.Combine(Repository.ResultsDirectory, "chart.svg");

    public static void Write(BenchResults results)
    {
        var svg = new StringBuilder();
        svg.AppendLine(I($"""<svg xmlns="http://www.w3.org/2000/svg" width="{PanelWidth * 3}" height="{Height}" viewBox="0 0 {PanelWidth * 3} {Height}" font-family="Helvetica, Arial, sans-serif" font-size="11">"""));
        svg.AppendLine("""<rect width="100%" height="100%" fill="white"/>""");
        ThroughputPanel(svg, results.Throughput, 0);
        LatencyPanel(svg, results.Latency, PanelWidth);
        MemoryPanel(svg, results.Density, PanelWidth * 2);
        svg.AppendLine(I($"""<text x="10" y="{Height - 8}" fill="#555">Bars: median of the runs; whiskers: min–max. Grey: the tutorial's Python/FastAPI design on the same machine. Orange: goal.</text>"""));
        svg.AppendLine("</svg>");
        Directory.CreateDirectory(Repository.ResultsDirectory);
        File.WriteAllText(ChartPath, svg.ToString());
    }

    private static void ThroughputPanel(StringBuilder svg, ThroughputSection? t, int x0)
    {
        Title(svg, x0, "Throughput, thousand deltas/s", "16 turns × 2,000 unpaced deltas");
        if (t is null)
        {
            return;
        }

        Stat gateway = Stat.Of(t.Gateway.Select(r => r.ChunksPerSecond / 1000));
        Stat direct = Stat.Of(t.Direct.Select(r => r.ChunksPerSecond / 1000));
        double max = Nice(Math.Max(Value(direct.Max), Math.Max(Value(gateway.Max), Goals.Reference.ChunksPerSecond / 1000)) * 1.1);
        Func<double, double> y = v => Bottom - ((Bottom - Top) * v / max);
        Axis(svg, x0, max, y, v => v.ToString("N0", CultureInfo.InvariantCulture));
        Bar(svg, x0 + 60, 50, new Stat(Goals.Reference.ChunksPerSecond / 1000, Goals.Reference.ChunksPerSecond / 1000, Goals.Reference.ChunksPerSecond / 1000, 1), y, ReferenceColor, "Python", "F1");
        Bar(svg, x0 + 130, 50, gateway, y, Gateway, "gateway", "N0");
        Bar(svg, x0 + 200, 50, direct, y, Direct, "direct (floor)", "N0");
        if (direct.HasValue)
        {
            double goal = direct.Median * Goals.ThroughputShareOfFloor;
            GoalLine(svg, x0 + 45, x0 + PanelWidth - 20, y(goal), "goal: 50% of floor");
        }
    }

    private static void LatencyPanel(StringBuilder svg, LatencySection? l, int x0)
    {
        Title(svg, x0, "p99 latency per delta, ms (log)", "concurrent turns × 20 deltas/s");
        if (l is null)
        {
            return;
        }

        double high = l.Levels.SelectMany(v => v.Gateway.Concat(v.Direct)).Select(r => r.P99Ms).DefaultIfEmpty(1).Max();
        double low = l.Levels.SelectMany(v => v.Gateway.Concat(v.Direct)).Select(r => r.P99Ms).DefaultIfEmpty(1).Min();
        double logMin = Math.Floor(Math.Log10(Math.Max(low, 0.01)));
        double logMax = Math.Ceiling(Math.Log10(Math.Max(high, Goals.Reference.P99At256Ms) * 1.2));
        Func<double, double> y = v => Bottom - ((Bottom - Top) * (Math.Log10(Math.Max(v, Math.Pow(10, logMin))) - logMin) / (logMax - logMin));
        for (double e = logMin; e <= logMax; e++)
        {
            double v = Math.Pow(10, e);
            svg.AppendLine(I($"""<line x1="{x0 + 45}" x2="{x0 + PanelWidth - 10}" y1="{y(v):F1}" y2="{y(v):F1}" stroke="#eee"/>"""));
            svg.AppendLine(I($"""<text x="{x0 + 40}" y="{y(v) + 4:F1}" text-anchor="end" fill="#555">{v.ToString(v < 1 ? "0.###" : "N0", CultureInfo.InvariantCulture)}</text>"""));
        }

        svg.AppendLine(I($"""<line x1="{x0 + 45}" x2="{x0 + 45}" y1="{Top}" y2="{Bottom}" stroke="#999"/>"""));
        int slot = (PanelWidth - 60) / Math.Max(1, l.Levels.Count);
        for (int i = 0; i < l.Levels.Count; i++)
        {
            LatencyLevel level = l.Levels[i];
            int x = x0 + 55 + (i * slot);
            Bar(svg, x, 22, Stat.Of(level.Gateway.Select(r => r.P99Ms)), y, Gateway, null, "F1");
            Bar(svg, x + 24, 22, Stat.Of(level.BareRelay.Select(r => r.P99Ms)), y, RelayColor, null, "F1");
            Bar(svg, x + 48, 22, Stat.Of(level.Direct.Select(r => r.P99Ms)), y, Direct, null, "F1");
            svg.AppendLine(I($"""<text x="{x + 35}" y="{Bottom + 14}" text-anchor="middle">{level.Turns:N0}</text>"""));
            if (level.Turns == 256)
            {
                double ry = y(Goals.Reference.P99At256Ms);
                svg.AppendLine(I($"""<line x1="{x - 4}" x2="{x + 74}" y1="{ry:F1}" y2="{ry:F1}" stroke="#999" stroke-dasharray="3,2"/>"""));
                svg.AppendLine(I($"""<text x="{x + 35}" y="{ry - 3:F1}" text-anchor="middle" fill="#777">Python {Goals.Reference.P99At256Ms}</text>"""));
            }
        }

        Legend(svg, x0 + 50, Bottom + 28, ("gateway", Gateway), ("bare relay", RelayColor), ("direct", Direct));
    }

    private static void MemoryPanel(StringBuilder svg, DensitySection? d, int x0)
    {
        Title(svg, x0, "Memory per idle connection, KiB", d is null ? "" : I($"RSS growth / {d.Connections:N0} connections"));
        if (d is null || d.Runs.Count == 0)
        {
            return;
        }

        Stat rss = Stat.Of(d.Runs.Select(r => r.RssPerConnectionKiB));
        double max = Nice(Math.Max(Value(rss.Max), Goals.Reference.RssPerConnectionKiB) * 1.15);
        Func<double, double> y = v => Bottom - ((Bottom - Top) * v / max);
        Axis(svg, x0, max, y, v => v.ToString("N0", CultureInfo.InvariantCulture));
        double reference = Goals.Reference.RssPerConnectionKiB;
        Bar(svg, x0 + 60, 55, new Stat(reference, reference, reference, 1), y, ReferenceColor, "Python", "F1");
        Bar(svg, x0 + 135, 55, rss, y, Gateway, "gateway", "F1");
        Bar(svg, x0 + 210, 55, Stat.Of(d.Bare.Select(r => r.RssPerConnectionKiB)), y, Direct, "bare Kestrel", "F1");
        GoalLine(svg, x0 + 45, x0 + PanelWidth - 20, y(Goals.RssPerConnectionKiB), I($"goal: {Goals.RssPerConnectionKiB} KiB"));
    }

    private static void Title(StringBuilder svg, int x0, string title, string subtitle)
    {
        svg.AppendLine(I($"""<text x="{x0 + 12}" y="20" font-size="13" font-weight="bold">{title}</text>"""));
        svg.AppendLine(I($"""<text x="{x0 + 12}" y="35" fill="#555">{subtitle}</text>"""));
    }

    private static void Axis(StringBuilder svg, int x0, double max, Func<double, double> y, Func<double, string> label)
    {
        double step = Nice(max / 5);
        for (double v = 0; v <= max + (step / 2); v += step)
        {
            svg.AppendLine(I($"""<line x1="{x0 + 45}" x2="{x0 + PanelWidth - 10}" y1="{y(v):F1}" y2="{y(v):F1}" stroke="#eee"/>"""));
            svg.AppendLine(I($"""<text x="{x0 + 40}" y="{y(v) + 4:F1}" text-anchor="end" fill="#555">{label(v)}</text>"""));
        }

        svg.AppendLine(I($"""<line x1="{x0 + 45}" x2="{x0 + 45}" y1="{Top}" y2="{Bottom}" stroke="#999"/>"""));
    }

    private static void Bar(StringBuilder svg, int x, int width, Stat value, Func<double, double> y, string color, string? label, string format)
    {
        if (!value.HasValue)
        {
            return;
        }

        double top = y(value.Median);
        svg.AppendLine(I($"""<rect x="{x}" y="{top:F1}" width="{width}" height="{Bottom - top:F1}" fill="{color}"/>"""));
        if (value.Runs > 1 && value.Max > value.Min)
        {
            double mid = x + (width / 2.0);
            svg.AppendLine(I($"""<line x1="{mid:F1}" x2="{mid:F1}" y1="{y(value.Min):F1}" y2="{y(value.Max):F1}" stroke="#222"/>"""));
            svg.AppendLine(I($"""<line x1="{mid - 5:F1}" x2="{mid + 5:F1}" y1="{y(value.Max):F1}" y2="{y(value.Max):F1}" stroke="#222"/>"""));
            svg.AppendLine(I($"""<line x1="{mid - 5:F1}" x2="{mid + 5:F1}" y1="{y(value.Min):F1}" y2="{y(value.Min):F1}" stroke="#222"/>"""));
        }

        svg.AppendLine(I($"""<text x="{x + (width / 2.0):F1}" y="{Math.Min(top, y(value.Max)) - 4:F1}" text-anchor="middle">{value.Median.ToString(format, CultureInfo.InvariantCulture)}</text>"""));
        if (label is not null)
        {
            svg.AppendLine(I($"""<text x="{x + (width / 2.0):F1}" y="{Bottom + 14}" text-anchor="middle">{label}</text>"""));
        }
    }

    private static void GoalLine(StringBuilder svg, int x1, int x2, double y, string label)
    {
        svg.AppendLine(I($"""<line x1="{x1}" x2="{x2}" y1="{y:F1}" y2="{y:F1}" stroke="{GoalColor}" stroke-width="1.5" stroke-dasharray="6,3"/>"""));
        svg.AppendLine(I($"""<text x="{x2}" y="{y - 4:F1}" text-anchor="end" fill="{GoalColor}">{label}</text>"""));
    }

    private static void Legend(StringBuilder svg, int x, int y, params (string Label, string Color)[] entries)
    {
        foreach ((string label, string color) in entries)
        {
            svg.AppendLine(I($"""<rect x="{x}" y="{y - 9}" width="10" height="10" fill="{color}"/>"""));
            svg.AppendLine(I($"""<text x="{x + 14}" y="{y}">{label}</text>"""));
            x += 24 + (label.Length * 6);
        }
    }

    private static double Value(double v) => double.IsNaN(v) ? 0 : v;

    /// <summary>Rounds an axis maximum up to 1, 2 or 5 × a power of ten.</summary>
    private static double Nice(double v)
    {
        if (v <= 0)
        {
            return 1;
        }

        double p = Math.Pow(10, Math.Floor(Math.Log10(v)));
        return new[] { 1, 2, 5, 10 }.Select(m => m * p).First(m => m >= v);
    }

    private static string I(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);
}
