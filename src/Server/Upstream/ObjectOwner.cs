namespace LettaSockets.Server.Upstream;

/// <summary>The agent a Letta object (run, conversation) belongs to, and a run's conversation if it has one.</summary>
public sealed record ObjectOwner(string AgentId, string? ConversationId);
