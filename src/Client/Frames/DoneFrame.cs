using LettaSockets.Protocol.Frames;

namespace LettaSockets.Client;

/// <summary><c>done</c>: the turn ended normally (<see cref="StopReason"/> <c>cancelled</c> included).</summary>
public sealed record DoneFrame : TurnFrame
{
    public override string Type => "done";

    /// <summary>Letta's stop reason: <c>end_turn</c>, <c>requires_approval</c>, <c>cancelled</c>, …</summary>
    public string StopReason { get; init; } = "";

    /// <summary>With <c>cancelled</c>: <c>client</c>, <c>disconnect</c>, <c>shutdown</c>, <c>upstream</c>, <c>slow_consumer</c>.</summary>
    public string? CancelledBy { get; init; }

    public UsageInfo? Usage { get; init; }

    public DoneMetrics? Metrics { get; init; }

    /// <summary>True when this client made the frame (a cancelled turn whose socket dropped before the server's <c>done</c>).</summary>
    public bool IsClientSide { get; init; }

    public bool IsCancelled => StopReason == "cancelled";
}
