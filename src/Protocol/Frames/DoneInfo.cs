namespace LettaSockets.Protocol.Frames;

/// <summary>The payload of a <c>done</c> frame. Metrics are computed from the turn when it is written.</summary>
public sealed record DoneInfo(string StopReason, CancelledBy CancelledBy, UsageInfo? Usage, long EndedTimestamp);
