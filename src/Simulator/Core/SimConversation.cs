namespace LettaSockets.Simulator;

/// <summary>
/// A conversation of an agent (<c>conv-&lt;uuid4&gt;</c>): Letta's unit of concurrent messaging, with its
/// own lock (Letta's concurrency and otids). Runs sent to it carry its id (<see cref="SimRun.ConversationId"/>).
/// </summary>
public sealed record SimConversation(string Id, string AgentId, DateTimeOffset CreatedAt)
{
    public string? Summary { get; init; }
}
