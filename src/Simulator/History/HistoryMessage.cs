namespace LettaSockets.Simulator;

/// <summary>
/// One LettaMessage as Letta's history routes return it (the LettaMessage envelope, <c>seq_id</c> null, token deltas merged).
/// Several share an <see cref="Id"/> when one LLM response produced them (reasoning, then text or a tool call):
/// Letta pages by that id, the message it stores.
/// </summary>
/// <param name="Sequence">Its place in the simulator's history (oldest first).</param>
/// <param name="AgentId">The agent whose history it is.</param>
/// <param name="ConversationId">The conversation (<c>conv-…</c>); null for the agent routes and the default conversation.</param>
/// <param name="RunId">The run that stored it.</param>
/// <param name="Id">The stored message's id (<c>message-…</c>).</param>
/// <param name="MessageType">e.g. <c>user_message</c>, <c>assistant_message</c>.</param>
/// <param name="Otid">The otid: the client's for a user message, the one derived from the id for the agent's (Letta's generate_otid_from_id).</param>
/// <param name="Json">The object as served.</param>
public sealed record HistoryMessage(
    long Sequence,
    string AgentId,
    string? ConversationId,
    string RunId,
    string Id,
    string MessageType,
    string? Otid,
    string Json);
