namespace LettaSockets.Protocol.Frames;

/// <summary>The payload of a <c>done</c> frame. <see cref="Metrics"/> is filled in when it is written.</summary>
public sealed record DoneInfo(string StopReason, CancelledBy CancelledBy, UsageInfo? Usage, long EndedTimestamp)
{
    public TurnMetrics Metrics { get; init; }
}
