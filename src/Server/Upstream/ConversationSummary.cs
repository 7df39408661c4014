namespace LettaSockets.Server.Upstream;

/// <summary>A conversation as the gateway lists it: its id, agent, summary and when it was created and
/// last written to (ISO 8601, as Letta sends them; null when Letta has none).</summary>
public sealed record ConversationSummary(string Id, string AgentId, string? Summary, string? CreatedAt, string? LastMessageAt);
