namespace LettaSockets.Server.Upstream;

/// <summary>One entry of <c>tool_calls</c>: a delta in token mode, a whole call in step mode.</summary>
public readonly record struct ToolCallDelta(string? ToolCallId, string? Name, string? Arguments);
