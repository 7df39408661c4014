namespace LettaSockets.Simulator.Runs;

/// <summary>How a run ended, for <c>GET /v1/runs/{id}</c>.</summary>
internal readonly record struct RunOutcome(SimRunStatus Status, string StopReason)
{
    /// <summary>Letta's event payloads mapping from stop reason to run status.</summary>
    public static RunOutcome From(string stopReason) => stopReason switch
    {
        "end_turn" or "max_steps" or "tool_rule" or "requires_approval" => new(SimRunStatus.Completed, stopReason),
        "cancelled" => new(SimRunStatus.Cancelled, stopReason),
        _ => new(SimRunStatus.Failed, stopReason),
    };
}
