using System.Globalization;
using System.Text;
using System.Text.RegularExpressions;

namespace LettaSockets.Simulator.Agents;

/// <summary>Ada: a readable Markdown reply; "count to N" is byte-exact for tests.</summary>
internal static partial class AdaBehaviour
{
    public const int MaxCount = 100_000;

    private static readonly TimeSpan s_readingPace = TimeSpan.FromMilliseconds(25);
    private static readonly TimeSpan s_countingPace = TimeSpan.FromMilliseconds(5);

    public static AgentScript Answer(SimRequest request)
    {
        var text = request.UserText;
        var count = CountPattern().Match(text);
        if (count.Success)
        {
            if (int.TryParse(count.Groups[1].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var n)
                && n is >= 1 and <= MaxCount)
            {
                return AgentScript.Create().Say(Numbers(n)).WithTokenDelay(s_countingPace);
            }

            return AgentScript.Create()
                .Say($"I can count from 1 to any number up to {MaxCount}.")
                .WithTokenDelay(s_readingPace);
        }

        var reply = text.Contains("long", StringComparison.OrdinalIgnoreCase) ? AdaTexts.Long : Markdown(text);
        return AgentScript.Create().Say(reply).WithTokenDelay(s_readingPace);
    }

    /// <summary>"1 2 3 … n", single spaces, nothing else.</summary>
    public static string Numbers(int n)
    {
        var builder = new StringBuilder(n * 7);
        for (var i = 1; i <= n; i++)
        {
            if (i > 1)
            {
                builder.Append(' ');
            }

            builder.Append(i.ToString(CultureInfo.InvariantCulture));
        }

        return builder.ToString();
    }

    private static string Markdown(string question)
    {
        var quoted = question.ReplaceLineEndings(" ").Trim();
        if (quoted.Length > 200)
        {
            quoted = quoted[..200] + "…";
        }

        if (quoted.Length == 0)
        {
            quoted = "(an empty message)";
        }

        return $"""
            You asked: *{quoted}*

            Happy to help! I'm **Ada**, a simulated Letta agent. My replies stream token by token, so you can watch the gateway relay them as they are written.

            - Every answer is deterministic, which keeps tests honest.
            - Ask me to *count to 20* for an exact numeric reply.
            - Ask for something *long* to see a multi-paragraph answer.

            ```csharp
            await socket.SendAsync("{quoted.Replace("\"", "'", StringComparison.Ordinal)}");
            ```
            """;
    }

    [GeneratedRegex(@"count to (\d{1,9})", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex CountPattern();
}
