namespace LettaSockets.Client;

/// <summary><c>pong</c>: the answer to a <c>ping</c>.</summary>
public sealed record PongFrame : LettaFrame
{
    public override string Type => "pong";

    public string? Id { get; init; }
}
