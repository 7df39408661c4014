namespace LettaSockets.Server.Upstream;

/// <summary>An agent as the gateway lists it: id and name only.</summary>
public sealed record AgentSummary(string Id, string Name);
