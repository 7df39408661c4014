namespace LettaSockets.Protocol.Frames;

/// <summary>The payload of an <c>approval_request</c> frame: the complete tool call awaiting approval.</summary>
public sealed record ApprovalInfo(string ToolCallId, string? Name, string Arguments);
