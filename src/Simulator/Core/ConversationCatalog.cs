using System.Diagnostics.CodeAnalysis;
using LettaSockets.Simulator.Wire;

namespace LettaSockets.Simulator;

/// <summary>
/// The simulator's conversations, by id, as <c>POST /v1/conversations?agent_id=…</c> creates them.
/// Tests in other projects create them in process with <see cref="Create"/>. Thread-safe.
/// </summary>
public sealed class ConversationCatalog
{
    private readonly object _gate = new();
    private readonly List<SimConversation> _conversations = [];
    private readonly AgentCatalog _agents;
    private readonly TimeProvider _time;

    internal ConversationCatalog(AgentCatalog agents, TimeProvider time)
    {
        _agents = agents;
        _time = time;
    }

    /// <summary>Oldest first.</summary>
    public IReadOnlyList<SimConversation> All
    {
        get
        {
            lock (_gate)
            {
                return [.. _conversations];
            }
        }
    }

    /// <summary>Creates a conversation for an existing agent and returns its id (<c>conv-…</c>).</summary>
    /// <exception cref="ArgumentException">The simulator has no agent <paramref name="agentId"/> (Letta answers 404).</exception>
    public string Create(string agentId, string? summary = null)
    {
        ArgumentNullException.ThrowIfNull(agentId);
        if (!_agents.TryGet(agentId, out _))
        {
            throw new ArgumentException($"The simulator has no agent '{agentId}'.", nameof(agentId));
        }

        return Add(agentId, summary).Id;
    }

    public bool TryGet(string conversationId, [NotNullWhen(true)] out SimConversation? conversation)
    {
        lock (_gate)
        {
            conversation = _conversations.Find(c => c.Id == conversationId);
            return conversation is not null;
        }
    }

    /// <summary>The conversations of <paramref name="agentId"/>, oldest first.</summary>
    public IReadOnlyList<SimConversation> ForAgent(string agentId)
    {
        lock (_gate)
        {
            return _conversations.FindAll(c => c.AgentId == agentId);
        }
    }

    /// <summary>Adds without checking the agent (the HTTP route checks it first, with Letta's 404).</summary>
    internal SimConversation Add(string agentId, string? summary)
    {
        var conversation = new SimConversation(LettaIds.NewConversationId(), agentId, _time.GetUtcNow()) { Summary = summary };
        lock (_gate)
        {
            _conversations.Add(conversation);
        }

        return conversation;
    }
}
