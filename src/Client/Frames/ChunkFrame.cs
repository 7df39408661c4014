namespace LettaSockets.Client;

/// <summary><c>chunk</c>: a delta of the answer's text; a message's deltas concatenate to Letta's text.</summary>
public sealed record ChunkFrame : TurnFrame
{
    public override string Type => "chunk";

    /// <summary>Letta's <c>otid</c>: one per logical message.</summary>
    public string? MessageId { get; init; }

    public string Content { get; init; } = "";
}
