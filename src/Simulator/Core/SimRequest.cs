using LettaSockets.Simulator.History;

namespace LettaSockets.Simulator;

/// <summary>What an agent's behaviour sees of one message request.</summary>
public sealed record SimRequest
{
    public required string AgentId { get; init; }

    public required string RunId { get; init; }

    /// <summary>The text of the user message(s), text parts joined; empty for approval-only requests.</summary>
    public string UserText { get; init; } = "";

    public IReadOnlyList<string> Otids { get; init; } = [];

    public IReadOnlyList<ApprovalDecision> Approvals { get; init; } = [];

    public bool Streaming { get; init; }

    public bool StreamTokens { get; init; }

    public bool IncludePings { get; init; } = true;

    public bool Background { get; init; }

    /// <summary>The conversation it was sent to (<c>conv-…</c>); null for the agent routes and the default conversation.</summary>
    public string? ConversationId { get; init; }

    /// <summary>The input messages as the history stores them (with the otids the server made up where the client sent none).</summary>
    internal IReadOnlyList<InputMessage> Inputs { get; init; } = [];
}
