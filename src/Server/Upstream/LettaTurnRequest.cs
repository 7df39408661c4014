namespace LettaSockets.Server.Upstream;

/// <summary>What one turn asks Letta for: a user message or an approval answer.</summary>
public sealed record LettaTurnRequest(string AgentId)
{
    public string? Content { get; init; }

    /// <summary>The client's id of the turn (the <c>message</c>/<c>approve</c> frame's <c>id</c>), for errors that name it.</summary>
    public string? TurnId { get; init; }

    /// <summary>
    /// Client idempotency key of the input message (Letta API docs: conversations/messages/create); the same on every retry.
    /// The transports set it (<see cref="TurnOtid"/>); a random one is made only when none was given, and
    /// only when first read (an initializer would draw a random UUID for every turn and then drop it).
    /// </summary>
    public string Otid
    {
        get => LazyInitializer.EnsureInitialized(ref field, static () => Guid.NewGuid().ToString()); // one value, however many read it first
        init => field = value;
    }

    public string? ConversationId { get; init; }

    public bool Background { get; init; }

    public string? ApprovalToolCallId { get; init; }

    public bool Approve { get; init; }

    public string? ApprovalReason { get; init; }
}
