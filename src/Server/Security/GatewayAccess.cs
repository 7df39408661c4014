namespace LettaSockets.Server.Security;

/// <summary>
/// Puts <see cref="GatewayGuard"/> in front of endpoints: <see cref="RequireGatewayAccess{TBuilder}"/> marks an
/// endpoint, <see cref="UseGatewayAccess"/> is the one middleware that admits or refuses every marked request
/// after routing has chosen its endpoint and before the endpoint runs. One path for every transport: the
/// WebSocket endpoints (whose request lives as long as the socket) are marked like the rest, and the
/// middleware keeps nothing of its own alive while the endpoint runs.
/// </summary>
public static class GatewayAccess
{
    /// <summary>The route value that names the agent a request is for (<c>/ws/{agentId}</c>).</summary>
    public const string AgentRouteValue = "agentId";

    /// <summary>Origin, key and agent scope are checked before the endpoint runs; a refused request
    /// gets 401/403 with <c>{"error":{"code","message"}}</c> and never reaches it. Needs
    /// <see cref="UseGatewayAccess"/> in the pipeline: without it routing refuses the endpoint (<see cref="GatewayAccessPolicy"/>).</summary>
    public static TBuilder RequireGatewayAccess<TBuilder>(this TBuilder builder)
        where TBuilder : IEndpointConventionBuilder =>
        builder.WithMetadata(Required.Instance);

    /// <summary>The middleware that applies the guard to every endpoint marked with <see cref="RequireGatewayAccess{TBuilder}"/>.</summary>
    public static IApplicationBuilder UseGatewayAccess(this IApplicationBuilder app)
    {
        return app.Use(next =>
        {
            // Resolved when the server builds its pipeline (invalid Auth settings fail there, as before).
            GatewayGuard guard = app.ApplicationServices.GetRequiredService<GatewayGuard>();
            guard.MiddlewareInstalled = true;
            return context =>
            {
                if (context.GetEndpoint() is not { } endpoint || !IsGuarded(endpoint))
                {
                    return next(context);
                }

                ValueTask<bool> admitted = guard.AdmitAsync(context, context.GetRouteValue(AgentRouteValue) as string);

                // Admitted at once (the usual case): the endpoint's own task is returned, so nothing of the
                // middleware stays alive for as long as the endpoint runs (a WebSocket session: hours).
                return admitted.IsCompletedSuccessfully
                    ? admitted.Result ? next(context) : Task.CompletedTask
                    : AdmitThenRunAsync(admitted, context, next);
            };
        });
    }

    /// <summary>Whether <paramref name="endpoint"/> is behind the guard.</summary>
    public static bool IsGuarded(Endpoint endpoint) => endpoint.Metadata.GetMetadata<Required>() is not null;

    private static async Task AdmitThenRunAsync(ValueTask<bool> admitted, HttpContext context, RequestDelegate next)
    {
        if (await admitted.ConfigureAwait(false))
        {
            await next(context).ConfigureAwait(false);
        }
    }

    /// <summary>The endpoint metadata that asks for the guard.</summary>
    private sealed class Required
    {
        public static readonly Required Instance = new();
    }
}
