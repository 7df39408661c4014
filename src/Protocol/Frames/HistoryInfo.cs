namespace LettaSockets.Protocol.Frames;

/// <summary>
/// The payload of a <c>history</c> frame: a page of an agent's (or conversation's) stored messages,
/// oldest first, each as the frame a live turn would have carried it in — <c>chunk</c>, <c>reasoning</c>,
/// <c>tool_call</c>, <c>tool_result</c>, <c>approval_request</c> — plus <c>user_message</c> for what the
/// user said.
/// </summary>
/// <param name="Id">The request's id.</param>
/// <param name="AgentId">Whose history.</param>
/// <param name="ConversationId">The conversation, or null for the agent's default one.</param>
/// <param name="Messages">Oldest first.</param>
/// <param name="HasMore">Older messages exist: ask again with <paramref name="Before"/>.</param>
/// <param name="Before">The cursor for the page before this one (the oldest message's id).</param>
public sealed record HistoryInfo(string Id, string AgentId, string? ConversationId, IReadOnlyList<HistoryItem> Messages, bool HasMore, string? Before);

/// <summary>One stored message, as a frame of its <paramref name="Type"/>.</summary>
/// <param name="Type"><c>user_message</c>, <c>chunk</c>, <c>reasoning</c>, <c>tool_call</c>, <c>tool_result</c> or <c>approval_request</c>.</param>
/// <param name="MessageId">Letta's <c>otid</c> (else its id): the same <c>message_id</c> the live frames had.</param>
/// <param name="RunId">The run that stored it.</param>
/// <param name="Date">When Letta stored it (ISO 8601).</param>
/// <param name="Content">The text (<c>content</c>), the call's arguments (<c>arguments</c>) or the tool's result (<c>result</c>).</param>
public sealed record HistoryItem(string Type, string MessageId, string? RunId, string? Date, string? Content)
{
    /// <summary><c>reasoning</c>: Letta hid the reasoning (only a placeholder is stored).</summary>
    public bool Hidden { get; init; }

    /// <summary>Tool frames: the tool's name.</summary>
    public string? Name { get; init; }

    /// <summary>Tool frames: the call's id.</summary>
    public string? ToolCallId { get; init; }

    /// <summary><c>tool_result</c>: <c>success</c> or <c>error</c>.</summary>
    public string? Status { get; init; }
}
