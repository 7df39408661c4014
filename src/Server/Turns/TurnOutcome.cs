using LettaSockets.Protocol.Frames;
using LettaSockets.Server.Upstream;

namespace LettaSockets.Server.Turns;

/// <summary>How Letta ended a stream, as the mapper saw it.</summary>
public readonly record struct TurnOutcome(string? StopReason, UsageInfo? Usage, LettaError? Error, bool SawDone, bool SawInvalidEvent)
{
    /// <summary>Stop reasons after which Letta marks the run completed (Letta docs: guides/agents/streaming); the others mean failed.</summary>
    public static bool IsSuccess(string stopReason) =>
        stopReason is "end_turn" or "max_steps" or "tool_rule" or "requires_approval";
}
