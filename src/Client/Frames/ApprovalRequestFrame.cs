namespace LettaSockets.Client;

/// <summary><c>approval_request</c>: the agent waits for an <c>approve</c> of <see cref="ToolCallId"/>.</summary>
public sealed record ApprovalRequestFrame : TurnFrame
{
    public override string Type => "approval_request";

    public string ToolCallId { get; init; } = "";

    public string? Name { get; init; }

    /// <summary>The whole arguments, as JSON text.</summary>
    public string? Arguments { get; init; }
}
