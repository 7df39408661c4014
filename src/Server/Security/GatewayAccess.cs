namespace LettaSockets.Server.Security;

/// <summary>Puts <see cref="GatewayGuard"/> in front of endpoints.</summary>
public static class GatewayAccess
{
    /// <summary>The route value that names the agent a request is for (<c>/ws/{agentId}</c>).</summary>
    public const string AgentRouteValue = "agentId";

    /// <summary>Origin, key and agent scope are checked before the endpoint runs; a refused request
    /// gets 401/403 with <c>{"error":{"code","message"}}</c> and never reaches it.</summary>
    public static TBuilder RequireGatewayAccess<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.AddEndpointFilter(static async (invocation, next) =>
        {
            HttpContext context = invocation.HttpContext;
            GatewayGuard guard = context.RequestServices.GetRequiredService<GatewayGuard>();
            string? agentId = context.GetRouteValue(AgentRouteValue) as string;
            return await guard.AdmitAsync(context, agentId).ConfigureAwait(false) ? await next(invocation).ConfigureAwait(false) : Results.Empty;
        });
}
