namespace LettaSockets.Client;

/// <summary><c>shutdown</c>: the server is going away; <see cref="Resume"/> lists where resumable turns continue.</summary>
public sealed record ShutdownFrame : LettaFrame
{
    public override string Type => "shutdown";

    public string? Reason { get; init; }

    public IReadOnlyList<TurnCursor> Resume { get; init; } = [];
}
