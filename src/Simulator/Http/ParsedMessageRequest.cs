using LettaSockets.Simulator.History;

namespace LettaSockets.Simulator.Http;

/// <summary>The fields of a <c>LettaStreamingRequest</c> the simulator acts on (Letta's request body).</summary>
internal sealed record ParsedMessageRequest(
    string UserText,
    IReadOnlyList<string> Otids,
    IReadOnlyList<ApprovalDecision> Approvals,
    bool Streaming,
    bool StreamTokens,
    bool IncludePings,
    bool Background,
    bool IncludePingsGiven)
{
    /// <summary>A conversation send's <c>agent_id</c> (used with <c>conversation_id=default</c>, Letta's request body).</summary>
    public string? AgentId { get; init; }

    /// <summary>The input messages one by one, for the history.</summary>
    public IReadOnlyList<InputMessage> Inputs { get; init; } = [];
}
