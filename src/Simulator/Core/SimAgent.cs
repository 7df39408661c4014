namespace LettaSockets.Simulator;

/// <summary>A simulated agent: its id (<c>agent-&lt;uuid4&gt;</c>), name and what it answers to a request.</summary>
public sealed record SimAgent(string Id, string Name, Func<SimRequest, AgentScript> Behaviour)
{
    /// <summary>A fixed date keeps <c>GET /v1/agents</c> output deterministic.</summary>
    public static readonly DateTimeOffset DefaultCreatedAt = new(2026, 1, 1, 0, 0, 0, TimeSpan.Zero);

    public string? Description { get; init; }

    public DateTimeOffset CreatedAt { get; init; } = DefaultCreatedAt;
}
