namespace LettaSockets.Simulator.History;

/// <summary>
/// One input message of a send (a <c>messages[]</c> item or the <c>input</c> sugar), as Letta persists it before the agent's reply: its kind
/// (<c>user</c>, <c>system</c>, <c>assistant</c> or <c>approval</c>), its content as JSON and its otid (the
/// client's, else one the server made up).
/// </summary>
internal sealed record InputMessage(string Kind, string ContentJson, string Otid)
{
    public IReadOnlyList<ApprovalDecision> Approvals { get; init; } = [];
}
