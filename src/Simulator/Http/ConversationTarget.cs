using LettaSockets.Simulator.Wire;

namespace LettaSockets.Simulator.Http;

/// <summary>
/// What a <c>/v1/conversations/{conversation_id}/…</c> route acts on (Letta's endpoints): a <c>conv-…</c> conversation, or the
/// agent's default conversation ("agent-direct": <c>default</c> plus an <c>agent_id</c>, or — deprecated — an
/// <c>agent-…</c> id in the path). Agent-direct runs record no conversation id; their lock key is the agent id.
/// </summary>
internal sealed record ConversationTarget(string AgentId, string? ConversationId)
{
    public const string Default = "default";

    /// <summary>The Letta's concurrency and otids lock: the conversation's, or the agent's for its default conversation.</summary>
    public string LockKey => ConversationId ?? AgentId;

    public bool IsAgentDirect => ConversationId is null;

    /// <summary>Path validation: <c>default</c>, <c>conv-&lt;uuid4&gt;</c> or (deprecated) <c>agent-&lt;uuid4&gt;</c>, else 422.</summary>
    public static ApiError? CheckPath(string pathId) =>
        pathId == Default || LettaIds.IsConversationId(pathId) || LettaIds.IsAgentId(pathId)
            ? null
            : ApiError.InvalidPathId("conversation_id", pathId, LettaIds.ConversationIdRegex);

    /// <summary>
    /// Resolves as Letta does: <c>default</c> with an agent id, or an <c>agent-…</c> path, is agent-direct (the agent
    /// is not looked up here); anything else must be a known conversation, else 404 — including <c>default</c>
    /// without an agent id, which Letta looks up as a conversation named "default".
    /// </summary>
    public static ConversationTarget? Resolve(ConversationCatalog conversations, string pathId, string? agentId, out ApiError error)
    {
        error = default;
        if (pathId == Default && !string.IsNullOrEmpty(agentId))
        {
            return new ConversationTarget(agentId, null);
        }

        if (LettaIds.IsAgentId(pathId))
        {
            return new ConversationTarget(pathId, null);
        }

        if (conversations.TryGet(pathId, out var conversation))
        {
            return new ConversationTarget(conversation.AgentId, conversation.Id);
        }

        error = ApiError.ConversationNotFound(pathId);
        return null;
    }
}
