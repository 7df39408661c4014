namespace LettaSockets.Client;

/// <summary><c>ready</c>: the first frame of every socket.</summary>
public sealed record ReadyFrame : LettaFrame
{
    public override string Type => "ready";

    public string? Protocol { get; init; }

    public string ConnectionId { get; init; } = "";

    /// <summary>The agent the socket is bound to (null: the server has no default).</summary>
    public string? AgentId { get; init; }

    /// <summary>Whether the server offers resumable turns.</summary>
    public bool Resumable { get; init; }

    /// <summary>Whether the agents have several conversations (<c>conversation_id</c>, history by conversation).</summary>
    public bool Conversations { get; init; }

    public int MaxFrameBytes { get; init; }

    public int MaxContentChars { get; init; }

    public int MaxActiveTurns { get; init; }

    public string? ServerName { get; init; }

    public string? ServerVersion { get; init; }

    /// <summary>The gateway instance holding the socket.</summary>
    public string? ServerInstance { get; init; }
}
