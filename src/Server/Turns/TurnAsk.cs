namespace LettaSockets.Server.Turns;

/// <summary>What a client asks of a new turn, whichever transport it came by (a WebSocket frame or a
/// <c>POST /stream</c> body): the fields <see cref="TurnAdmission"/> judges.</summary>
public sealed record TurnAsk(string? AgentId)
{
    public string? Content { get; init; }

    public string? ConversationId { get; init; }

    public double? MaxCharsPerSecond { get; init; }

    /// <summary>A <c>resume</c>; <see cref="RunId"/> is the run named, if any.</summary>
    public bool Resume { get; init; }

    public string? RunId { get; init; }

    /// <summary>A resume's cursor.</summary>
    public long? AfterSeq { get; init; }

    /// <summary>The client's <c>resumable</c> field (null: the server's default).</summary>
    public bool? Resumable { get; init; }

    /// <summary>An <c>approve</c>.</summary>
    public bool Approve { get; init; }
}
