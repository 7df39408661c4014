namespace LettaSockets.Simulator.Http;

/// <summary>
/// Letta's three ways of paging history. All count stored messages (several LettaMessages of one LLM response share an id)
/// and take <c>before</c>/<c>after</c> as ids of stored messages, compared by position, not by the page's order.
/// </summary>
internal static class HistoryPager
{
    /// <summary>
    /// The agent routes (Letta's agent recall): <c>desc</c> takes the newest <c>limit</c>, <c>asc</c> the oldest, and
    /// both come back oldest first. An unknown cursor is Letta's 404 (<paramref name="unknownCursor"/>).
    /// </summary>
    /// <param name="messages">The agent's messages that pass the filter, oldest first.</param>
    /// <param name="cursorScope">Where a cursor may point (the agent's whole history).</param>
    /// <param name="page">The query.</param>
    /// <param name="unknownCursor">A cursor that names no message of the agent.</param>
    public static IReadOnlyList<HistoryMessage> Recall(
        IReadOnlyList<HistoryMessage> messages, IReadOnlyList<HistoryMessage> cursorScope, PageQuery page, out string? unknownCursor)
    {
        if (!TryBounds(cursorScope, page, out var after, out var before, out unknownCursor))
        {
            return [];
        }

        var stored = Stored(messages, after, before);
        var chosen = page.Descending ? stored.TakeLast(page.Limit) : stored.Take(page.Limit);
        return Filter(chosen.SelectMany(m => m), page);
    }

    /// <summary>
    /// A conversation: newest first unless <c>asc</c>, each stored message's parts in their own order; a cursor
    /// that names nothing is ignored.
    /// </summary>
    public static IReadOnlyList<HistoryMessage> Conversation(IReadOnlyList<HistoryMessage> messages, PageQuery page)
    {
        var after = Find(messages, page.After);
        var before = Find(messages, page.Before);
        var stored = Stored(messages, after, before);
        IEnumerable<List<HistoryMessage>> ordered = page.Descending ? Enumerable.Reverse(stored) : stored;
        return Filter(ordered.Take(page.Limit).SelectMany(m => m), page);
    }

    /// <summary>A run's messages: oldest first, or with <c>desc</c> the exact reverse; an unknown cursor is a 404.</summary>
    public static IReadOnlyList<HistoryMessage> Run(IReadOnlyList<HistoryMessage> messages, PageQuery page, out string? unknownCursor)
    {
        if (!TryBounds(messages, page, out var after, out var before, out unknownCursor))
        {
            return [];
        }

        var stored = Stored(messages, after, before);
        return page.Descending
            ? [.. Enumerable.Reverse(stored).Take(page.Limit).SelectMany(m => Enumerable.Reverse(m))]
            : [.. stored.Take(page.Limit).SelectMany(m => m)];
    }

    private static bool TryBounds(IReadOnlyList<HistoryMessage> scope, PageQuery page, out long? after, out long? before, out string? unknownCursor)
    {
        after = Find(scope, page.After);
        before = Find(scope, page.Before);
        unknownCursor = page.After is not null && after is null ? page.After
            : page.Before is not null && before is null ? page.Before
            : null;
        return unknownCursor is null;
    }

    /// <summary>The sequence of the stored message <paramref name="id"/> names (its first part).</summary>
    private static long? Find(IReadOnlyList<HistoryMessage> messages, string? id) =>
        id is null ? null : messages.FirstOrDefault(m => m.Id == id)?.Sequence;

    /// <summary>Consecutive parts with one id make one stored message; keeps those strictly between the cursors.</summary>
    private static List<List<HistoryMessage>> Stored(IReadOnlyList<HistoryMessage> messages, long? after, long? before)
    {
        var stored = new List<List<HistoryMessage>>();
        foreach (var message in messages)
        {
            if (stored.Count > 0 && stored[^1][^1].Id == message.Id)
            {
                stored[^1].Add(message);
            }
            else
            {
                stored.Add([message]);
            }
        }

        return stored.FindAll(g => (after is null || g[0].Sequence > after) && (before is null || g[0].Sequence < before));
    }

    private static List<HistoryMessage> Filter(IEnumerable<HistoryMessage> messages, PageQuery page) =>
        page.Types is null ? [.. messages] : [.. messages.Where(m => page.Types.Contains(m.MessageType))];
}
