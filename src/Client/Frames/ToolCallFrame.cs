namespace LettaSockets.Client;

/// <summary><c>tool_call</c>: a tool call, streamed; <see cref="Arguments"/> is a delta.</summary>
public sealed record ToolCallFrame : TurnFrame
{
    public override string Type => "tool_call";

    public string ToolCallId { get; init; } = "";

    /// <summary>On the first frame of a call only.</summary>
    public string? Name { get; init; }

    public string? Arguments { get; init; }
}
