namespace LettaSockets.Server.Security;

/// <summary>
/// The agents the request's client key may use, as a request feature set by authentication
/// (<see cref="GatewayGuard"/>) and read by the transports. <see cref="Agents"/> null: any agent.
/// </summary>
public sealed class ClientScope(IReadOnlySet<string>? agents)
{
    /// <summary>An unscoped key, or a gateway without keys.</summary>
    public static ClientScope Any { get; } = new(null);

    public IReadOnlySet<string>? Agents { get; } = agents;

    public bool MayUse(string agentId) => Agents is null || Agents.Contains(agentId);

    /// <summary>The scope authentication left on <paramref name="context"/>; <see cref="Any"/> when none.</summary>
    public static ClientScope Of(HttpContext context) => context.Features.Get<ClientScope>() ?? Any;
}
