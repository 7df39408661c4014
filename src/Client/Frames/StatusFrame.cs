namespace LettaSockets.Client;

/// <summary><c>status</c>: <c>thinking</c>, <c>running</c>, <c>tool_running</c> or <c>working</c>.</summary>
public sealed record StatusFrame : TurnFrame
{
    public override string Type => "status";

    public string Status { get; init; } = "";

    public string? ToolCallId { get; init; }

    public long? ElapsedMs { get; init; }
}
