namespace LettaSockets.Server.AppServer;

/// <summary>An App Server runtime: one agent and one of its conversations (<c>default</c> for the agent's own).</summary>
internal readonly record struct RuntimeKey(string AgentId, string ConversationId)
{
    public const string DefaultConversation = "default";

    public static RuntimeKey For(string agentId, string? conversationId) =>
        new(agentId, string.IsNullOrEmpty(conversationId) ? DefaultConversation : conversationId);
}
