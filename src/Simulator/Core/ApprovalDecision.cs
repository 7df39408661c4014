namespace LettaSockets.Simulator;

/// <summary>One answer to an approval request, from a <c>type:"approval"</c> input message (Letta's request body).</summary>
public sealed record ApprovalDecision(string ToolCallId, bool Approve, string? Reason);
