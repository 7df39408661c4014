namespace LettaSockets.Simulator;

/// <summary>An <c>approval_request_message</c>; the run then ends with <c>requires_approval</c>.</summary>
public sealed record ApprovalRequestPart(string Name, string Arguments, string ToolCallId) : ScriptPart;
