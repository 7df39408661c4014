namespace LettaSockets.Client;

/// <summary>Where a resumable turn continues: the turn <paramref name="Id"/>, its run, and the highest <c>seq</c> received.</summary>
public sealed record TurnCursor(string Id, string? RunId, long AfterSeq)
{
    /// <summary>The run's agent, when the socket may be bound to another.</summary>
    public string? AgentId { get; init; }

    /// <summary>The turn's conversation, if it had one (a resume without <see cref="RunId"/> needs it).</summary>
    public string? ConversationId { get; init; }
}
