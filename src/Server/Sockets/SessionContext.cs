namespace LettaSockets.Server.Sockets;

/// <summary>What the upgrade request established about a connection.</summary>
/// <param name="ConnectionId">Server-assigned id, in <c>ready</c> and every log scope.</param>
/// <param name="AgentId">The path's agent, or the configured default for <c>/ws</c> (null when none).</param>
/// <param name="AllowedAgents">When the client key is scoped: the agents it may use; null = any.</param>
public sealed record SessionContext(string ConnectionId, string? AgentId, IReadOnlySet<string>? AllowedAgents = null)
{
    public bool MayUse(string agentId) => AllowedAgents is null || AllowedAgents.Contains(agentId);
}
