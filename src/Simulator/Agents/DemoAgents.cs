namespace LettaSockets.Simulator;

/// <summary>The built-in agents: fixed ids, deterministic answers, delays scaled by the pace multiplier.</summary>
public static class DemoAgents
{
    /// <summary>"Ada — friendly assistant": Markdown answers; "count to N" and "long" special cases.</summary>
    public const string AdaId = "agent-00000000-0000-4000-8000-000000000001";

    /// <summary>"Dice &amp; Lookup — tool user": roll_dice and search_knowledge tool calls.</summary>
    public const string DiceId = "agent-00000000-0000-4000-8000-000000000002";

    /// <summary>"Sage — visible reasoning": reasoning before every answer.</summary>
    public const string SageId = "agent-00000000-0000-4000-8000-000000000003";

    /// <summary>"Bench — load generator": <c>bench n=&lt;N&gt; pace=&lt;per second&gt; size=&lt;bytes&gt;</c>.</summary>
    public const string BenchId = "agent-00000000-0000-4000-8000-000000000004";

    /// <summary>"Approver — asks before acting": approval request for delete_file.</summary>
    public const string ApproverId = "agent-00000000-0000-4000-8000-000000000005";

    /// <summary>Fresh instances (the approver remembers its pending requests per instance).</summary>
    public static IReadOnlyList<SimAgent> Create() =>
    [
        new(AdaId, "Ada — friendly assistant", Agents.AdaBehaviour.Answer)
        {
            Description = "Answers in Markdown. Try \"count to 20\" or \"tell me something long\".",
        },
        new(DiceId, "Dice & Lookup — tool user", Agents.DiceBehaviour.Answer)
        {
            Description = "Calls tools: \"roll a d20\", \"look up websockets\".",
        },
        new(SageId, "Sage — visible reasoning", Agents.SageBehaviour.Answer)
        {
            Description = "Streams its reasoning before every answer.",
        },
        new(BenchId, "Bench — load generator", Agents.BenchBehaviour.Answer)
        {
            Description = "bench n=<N> pace=<per second, 0 = unpaced> size=<bytes per chunk>: timestamped deltas.",
        },
        new(ApproverId, "Approver — asks before acting", new Agents.ApproverBehaviour().Answer)
        {
            Description = "Asks for approval before calling delete_file.",
        },
    ];
}
