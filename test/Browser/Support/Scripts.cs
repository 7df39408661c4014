using System.Globalization;
using System.Text;
using LettaSockets.Simulator;

namespace LettaSockets.Browser.Tests.Support;

/// <summary>Agent scripts the page tests share.</summary>
public static class Scripts
{
    /// <summary>"word1 word2 …": long enough that a stopped turn is visibly shorter than the whole text.</summary>
    public static string ManyWords(int count)
    {
        var text = new StringBuilder();
        for (int i = 1; i <= count; i++)
        {
            text.Append(i == 1 ? "" : " ").Append("word").Append(i.ToString(CultureInfo.InvariantCulture));
        }

        return text.ToString();
    }

    /// <summary>A reply that keeps streaming for several seconds (the simulator scales the delay by its pace).</summary>
    public static Func<SimRequest, AgentScript> Slow(string text, int tokenDelayMs = 100) =>
        _ => AgentScript.Create().Say(text).WithTokenDelay(TimeSpan.FromMilliseconds(tokenDelayMs));

    public static Func<SimRequest, AgentScript> Reply(string text) =>
        _ => AgentScript.Create().Say(text).WithTokenDelay(TimeSpan.FromMilliseconds(5));
}
