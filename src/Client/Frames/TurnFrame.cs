namespace LettaSockets.Client;

/// <summary>A frame of one request (a turn): it carries the request's id, and its agent and run once known.</summary>
public abstract record TurnFrame : LettaFrame
{
    public string? Id { get; init; }

    public string? AgentId { get; init; }

    public string? RunId { get; init; }

    /// <summary>Letta's sequence number, in resumable turns.</summary>
    public long? Seq { get; init; }

    /// <summary>True for <see cref="DoneFrame"/> and <see cref="ErrorFrame"/>: nothing of the turn follows.</summary>
    public bool IsTerminal => this is DoneFrame or ErrorFrame;
}
