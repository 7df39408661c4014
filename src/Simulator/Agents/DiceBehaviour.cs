using System.Globalization;
using System.Text.RegularExpressions;
using LettaSockets.Simulator.Wire;

namespace LettaSockets.Simulator.Agents;

/// <summary>Dice &amp; Lookup: reasoning, a tool call, its return, then a sentence about the result.</summary>
internal static partial class DiceBehaviour
{
    private static readonly TimeSpan s_tokenPace = TimeSpan.FromMilliseconds(20);
    private static readonly TimeSpan s_toolTime = TimeSpan.FromMilliseconds(400);

    public static AgentScript Answer(SimRequest request)
    {
        var text = request.UserText;
        if (text.Contains("roll", StringComparison.OrdinalIgnoreCase))
        {
            var sides = Sides(text);
            var value = RollFor(text, sides);
            return AgentScript.Create()
                .Reasoning($"The user wants a dice roll. I'll call roll_dice with {sides} sides.")
                .ToolCall("roll_dice", PyJson.Dumps(("num_sides", new PyJson.RawJson(sides.ToString(CultureInfo.InvariantCulture)))),
                    result: value.ToString(CultureInfo.InvariantCulture), toolDelay: s_toolTime)
                .Say($"You rolled a **{value}** on a {sides}-sided die. 🎲")
                .WithTokenDelay(s_tokenPace);
        }

        var lookup = LookupPattern().Match(text);
        if (lookup.Success)
        {
            var query = lookup.Groups[1].Value.Trim().TrimEnd('.', '?', '!');
            return AgentScript.Create()
                .Reasoning($"I should search the knowledge base for \"{query}\".")
                .ToolCall("search_knowledge", PyJson.Dumps(("query", query)),
                    result: $"3 results for \"{query}\": [1] Overview of {query} (score 0.92); [2] {query} in practice (score 0.81); [3] Common pitfalls (score 0.64)",
                    toolDelay: s_toolTime)
                .Say($"I found three entries about *{query}*. The best match is an overview (score 0.92); there is also a practical guide and a list of common pitfalls.")
                .WithTokenDelay(s_tokenPace);
        }

        return AgentScript.Create()
            .Say("I can use two tools: **roll_dice** (try \"roll a d20\") and **search_knowledge** (try \"look up websockets\").")
            .WithTokenDelay(s_tokenPace);
    }

    /// <summary>Deterministic: FNV-1a of the lower-cased text picks the face.</summary>
    public static int RollFor(string text, int sides)
    {
        var hash = 2166136261u;
        foreach (var c in text.ToLowerInvariant())
        {
            hash = (hash ^ c) * 16777619u;
        }

        return (int)(hash % (uint)sides) + 1;
    }

    private static int Sides(string text)
    {
        var match = SidesPattern().Match(text);
        for (var group = 1; group < match.Groups.Count; group++)
        {
            if (match.Groups[group].Success
                && int.TryParse(match.Groups[group].Value, NumberStyles.None, CultureInfo.InvariantCulture, out var sides))
            {
                return Math.Clamp(sides, 2, 1000);
            }
        }

        return 6;
    }

    [GeneratedRegex(@"\bd(\d{1,4})\b|(\d{1,4})[- ]sided|(\d{1,4}) sides", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant)]
    private static partial Regex SidesPattern();

    [GeneratedRegex(@"(?:look\s*up|search(?:\s+for)?)\s+(.+)", RegexOptions.IgnoreCase | RegexOptions.CultureInvariant | RegexOptions.Singleline)]
    private static partial Regex LookupPattern();
}
