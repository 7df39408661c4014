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
        builder.AddEndpointFilterFactory(static (factory, next) =>
        {
            // The guard is a singleton, taken from the application's services once per endpoint: asking the
            // request's services would open a DI scope that a WebSocket request keeps for its whole life.
            GatewayGuard guard = factory.ApplicationServices.GetRequiredService<GatewayGuard>();
            return invocation =>
            {
                HttpContext context = invocation.HttpContext;
                string? agentId = context.GetRouteValue(AgentRouteValue) as string;
                ValueTask<bool> admitted = guard.AdmitAsync(context, agentId);

                // Admitted at once (the usual case): the endpoint's own task is returned, so this filter keeps no
                // state of its own alive for as long as the endpoint runs (a WebSocket session: hours).
                return admitted.IsCompletedSuccessfully
                    ? admitted.Result ? next(invocation) : ValueTask.FromResult<object?>(Results.Empty)
                    : AdmitThenRunAsync(admitted, invocation, next);
            };
        });

    private static async ValueTask<object?> AdmitThenRunAsync(ValueTask<bool> admitted, EndpointFilterInvocationContext invocation, EndpointFilterDelegate next) =>
        await admitted.ConfigureAwait(false) ? await next(invocation).ConfigureAwait(false) : Results.Empty;
}
