using LettaSockets.Protocol.Frames;

namespace LettaSockets.Server.Upstream;

/// <summary>A page of stored messages, oldest first; <see cref="Before"/> asks for the page before it.</summary>
public sealed record HistoryPage(IReadOnlyList<HistoryItem> Messages, bool HasMore, string? Before);
