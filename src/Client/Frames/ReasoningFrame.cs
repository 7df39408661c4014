namespace LettaSockets.Client;

/// <summary><c>reasoning</c>: a delta of the agent's reasoning.</summary>
public sealed record ReasoningFrame : TurnFrame
{
    public override string Type => "reasoning";

    public string? MessageId { get; init; }

    public string Content { get; init; } = "";

    public bool Hidden { get; init; }
}
