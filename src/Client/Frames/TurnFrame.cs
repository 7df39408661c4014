namespace LettaSockets.Client;

/// <summary>A frame of one request (a turn): it carries the request's id, and its agent and run once known.</summary>
public abstract record TurnFrame : LettaFrame
{
    public string? Id { get; init; }

    public string? AgentId { get; init; }

    public string? RunId { get; init; }

    /// <summary>Letta's sequence number, in resumable turns.</summary>
    public long? Seq { get; init; }

    /// <summary>True on the frames of a turn this socket follows (docs/PROTOCOL.md, "Following").</summary>
    public bool Followed { get; init; }

    /// <summary>
    /// True for the frame that ends a request: <see cref="DoneFrame"/> or <see cref="ErrorFrame"/>, and the
    /// answers of the requests answered by one frame (<c>history</c>, <c>following</c>). Nothing of the request follows.
    /// </summary>
    public bool IsTerminal => this is DoneFrame or ErrorFrame or OtherTurnFrame { WireType: "history" or "following" };
}
