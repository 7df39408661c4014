namespace LettaSockets.Protocol.Frames;

/// <summary>The payload of a <c>tool_result</c> frame.</summary>
public sealed record ToolResultInfo(string ToolCallId, string? Name, string Status, string? Result)
{
    public IReadOnlyList<string>? Stdout { get; init; }
    public IReadOnlyList<string>? Stderr { get; init; }
}
