using System.Diagnostics.CodeAnalysis;
using LettaSockets.Simulator.Wire;

namespace LettaSockets.Simulator;

/// <summary>The simulator's agents, by id. Thread-safe.</summary>
public sealed class AgentCatalog
{
    private readonly object _gate = new();
    private readonly List<SimAgent> _agents = [];

    /// <summary>In the order they were added.</summary>
    public IReadOnlyList<SimAgent> All
    {
        get
        {
            lock (_gate)
            {
                return [.. _agents];
            }
        }
    }

    /// <summary>Adds the agent, replacing one with the same id.</summary>
    public void Add(SimAgent agent)
    {
        ArgumentNullException.ThrowIfNull(agent);
        if (!LettaIds.IsAgentId(agent.Id))
        {
            throw new ArgumentException(
                $"'{agent.Id}' is not a Letta agent id (agent-<lowercase uuid4>); requests could never reach it.",
                nameof(agent));
        }

        lock (_gate)
        {
            var index = _agents.FindIndex(a => a.Id == agent.Id);
            if (index >= 0)
            {
                _agents[index] = agent;
            }
            else
            {
                _agents.Add(agent);
            }
        }
    }

    public bool Remove(string id)
    {
        lock (_gate)
        {
            return _agents.RemoveAll(a => a.Id == id) > 0;
        }
    }

    public bool TryGet(string id, [NotNullWhen(true)] out SimAgent? agent)
    {
        lock (_gate)
        {
            agent = _agents.Find(a => a.Id == id);
            return agent is not null;
        }
    }
}
