namespace LettaSockets.Simulator.Agents;

/// <summary>Sage: native-reasoning deltas (<c>reasoner_model</c>), then the answer.</summary>
internal static class SageBehaviour
{
    private static readonly TimeSpan s_tokenPace = TimeSpan.FromMilliseconds(20);

    public static AgentScript Answer(SimRequest request)
    {
        var topic = request.UserText.ReplaceLineEndings(" ").Trim();
        if (topic.Length > 120)
        {
            topic = topic[..120] + "…";
        }

        return AgentScript.Create()
            .Reasoning(
                $"The user wrote: \"{topic}\". Let me think about what they need. " +
                "First, restate the question in my own words. Second, check what I actually know. " +
                "Third, answer briefly and say what I am unsure about.",
                source: "reasoner_model")
            .Say(
                $"Here is my considered answer about \"{topic}\": start with the simplest explanation that fits, " +
                "test it against one concrete example, and only then add detail. " +
                "You can read the reasoning above to see how I got here.")
            .WithTokenDelay(s_tokenPace);
    }
}
