namespace LettaSockets.Server.Upstream;

/// <summary>What an upstream can serve. A frame asking for something it cannot gets a typed error
/// before any turn starts (<c>not_resumable</c>, <c>upstream_rejected</c>).</summary>
/// <param name="ResumableRuns">Runs that outlive their stream and can be re-attached (Letta background mode).</param>
/// <param name="Conversations">Several conversations per agent (<c>conversation_id</c>).</param>
/// <param name="Approvals">Tool calls that wait for the client's approval.</param>
public sealed record UpstreamCapabilities(bool ResumableRuns, bool Conversations, bool Approvals)
{
    public static UpstreamCapabilities All { get; } = new(true, true, true);

    /// <summary>The upstream says when a tool starts running (<see cref="LettaEventKind.ToolStarted"/>);
    /// otherwise the gateway infers it from a tool call whose arguments are complete.</summary>
    public bool ReportsToolStart { get; init; }
}
