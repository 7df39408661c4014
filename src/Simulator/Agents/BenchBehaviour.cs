using System.Globalization;
using System.Text.RegularExpressions;

namespace LettaSockets.Simulator.Agents;

/// <summary>Bench: <c>bench n=&lt;N&gt; pace=&lt;per second&gt; size=&lt;bytes&gt;</c> → N timestamped assistant deltas.</summary>
internal static partial class BenchBehaviour
{
    public const int DefaultCount = 100;
    public const int DefaultSize = 16;
    public const int MaxCount = 10_000_000;
    public const int MaxSize = 1024 * 1024;

    public static AgentScript Answer(SimRequest request)
    {
        var text = request.UserText;
        var count = Math.Clamp(Read(NPattern(), text, DefaultCount), 0, MaxCount);
        var size = Math.Clamp(Read(SizePattern(), text, DefaultSize), 1, MaxSize);
        var pace = PacePattern().Match(text) is { Success: true } match
            && double.TryParse(match.Groups[1].Value, NumberStyles.Float, CultureInfo.InvariantCulture, out var perSecond)
            && perSecond >= 0
                ? perSecond
                : 0;
        return AgentScript.Create()
            .TimestampedDeltas(count, pace, size)
            .WithUsage(new ScriptUsage(PromptTokens: 16, CompletionTokens: count));
    }

    private static int Read(Regex pattern, string text, int fallback) =>
        pattern.Match(text) is { Success: true } match
        && int.TryParse(match.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var value)
            ? value
            : fallback;

    [GeneratedRegex(@"\bn=(\d{1,9})\b", RegexOptions.CultureInvariant)]
    private static partial Regex NPattern();

    [GeneratedRegex(@"\bpace=([0-9]+(?:\.[0-9]+)?)", RegexOptions.CultureInvariant)]
    private static partial Regex PacePattern();

    [GeneratedRegex(@"\bsize=(\d{1,9})\b", RegexOptions.CultureInvariant)]
    private static partial Regex SizePattern();
}
