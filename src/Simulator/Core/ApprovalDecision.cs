namespace LettaSockets.Simulator;

/// <summary>One answer to an approval request, from a <c>type:"approval"</c> input message (§3).</summary>
public sealed record ApprovalDecision(string ToolCallId, bool Approve, string? Reason);
