namespace LettaSockets.Client;

/// <summary><c>tool_result</c>: what a tool returned.</summary>
public sealed record ToolResultFrame : TurnFrame
{
    public override string Type => "tool_result";

    public string ToolCallId { get; init; } = "";

    public string? Name { get; init; }

    /// <summary><c>success</c> or <c>error</c>.</summary>
    public string? Status { get; init; }

    public string? Result { get; init; }

    public IReadOnlyList<string>? Stdout { get; init; }

    public IReadOnlyList<string>? Stderr { get; init; }
}
