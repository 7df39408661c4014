namespace LettaSockets.Protocol.Frames;

/// <summary>The payload of a <c>shutdown</c> frame: why, and where each resumable turn can be picked up.</summary>
public sealed record ShutdownInfo(string Reason, IReadOnlyList<ResumeCursor> Resume);

/// <summary>A resumable turn's cursor: resume <see cref="RunId"/> after <see cref="AfterSeq"/>.</summary>
public sealed record ResumeCursor(string Id, string RunId, long AfterSeq);
