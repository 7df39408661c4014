namespace LettaSockets.Simulator;

/// <summary>
/// What the agents said and were told, as Letta persists it (its message table): each run's input messages and
/// output, stored at the end of each agent step (Letta's agent loop checkpoints there). Read by <c>GET /v1/agents/{id}/messages</c>,
/// <c>/v1/conversations/{id}/messages</c> and <c>/v1/runs/{id}/messages</c>. Keeps the newest
/// <see cref="SimulatorOptions.MaxRetainedMessages"/> messages. Thread-safe.
/// </summary>
public sealed class MessageHistory
{
    private readonly object _gate = new();
    private readonly List<HistoryMessage> _messages = [];
    private readonly int _capacity;
    private long _nextSequence = 1;

    internal MessageHistory(int capacity) => _capacity = capacity;

    /// <summary>Oldest first.</summary>
    public IReadOnlyList<HistoryMessage> All
    {
        get
        {
            lock (_gate)
            {
                return [.. _messages];
            }
        }
    }

    /// <summary>The messages of <paramref name="agentId"/>, oldest first.</summary>
    public IReadOnlyList<HistoryMessage> ForAgent(string agentId) => Where(m => m.AgentId == agentId);

    /// <summary>The messages of conversation <paramref name="conversationId"/>, oldest first.</summary>
    public IReadOnlyList<HistoryMessage> ForConversation(string conversationId) => Where(m => m.ConversationId == conversationId);

    /// <summary>The messages run <paramref name="runId"/> stored, oldest first.</summary>
    public IReadOnlyList<HistoryMessage> ForRun(string runId) => Where(m => m.RunId == runId);

    internal IReadOnlyList<HistoryMessage> Where(Func<HistoryMessage, bool> match)
    {
        lock (_gate)
        {
            return _messages.FindAll(m => match(m));
        }
    }

    /// <summary>Stores a step's messages in one piece (a reader sees all of them or none) and numbers them.</summary>
    internal void Append(IReadOnlyList<HistoryMessage> messages)
    {
        if (messages.Count == 0)
        {
            return;
        }

        lock (_gate)
        {
            foreach (var message in messages)
            {
                _messages.Add(message with { Sequence = _nextSequence++ });
            }

            // Trimmed in batches, so a full history does not shift the list on every append.
            if (_messages.Count > _capacity + (_capacity / 8))
            {
                _messages.RemoveRange(0, _messages.Count - _capacity);
            }
        }
    }
}
