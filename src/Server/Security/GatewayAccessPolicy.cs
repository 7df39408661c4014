using Microsoft.AspNetCore.Routing.Matching;

namespace LettaSockets.Server.Security;

/// <summary>
/// Fails closed when an application marks endpoints with <see cref="GatewayAccess.RequireGatewayAccess{TBuilder}"/> but
/// never put <see cref="GatewayAccess.UseGatewayAccess"/> in its pipeline: routing then refuses to select those
/// endpoints (the request fails with an error naming the missing middleware) instead of running them unguarded.
/// With the middleware in place the policy applies to no endpoint and costs routing nothing.
/// </summary>
internal sealed class GatewayAccessPolicy(GatewayGuard guard) : MatcherPolicy, IEndpointSelectorPolicy
{
    public override int Order => 0;

    public bool AppliesToEndpoints(IReadOnlyList<Endpoint> endpoints) =>
        !guard.MiddlewareInstalled && endpoints.Any(GatewayAccess.IsGuarded);

    public Task ApplyAsync(HttpContext httpContext, CandidateSet candidates)
    {
        if (guard.MiddlewareInstalled)
        {
            return Task.CompletedTask; // the matcher was built before the pipeline: the middleware is there after all
        }

        for (int i = 0; i < candidates.Count; i++)
        {
            if (candidates.IsValidCandidate(i) && GatewayAccess.IsGuarded(candidates[i].Endpoint))
            {
                throw new InvalidOperationException(
                    $"The endpoint '{candidates[i].Endpoint.DisplayName}' requires gateway access, but the pipeline has no UseGatewayAccess(): it is not run.");
            }
        }

        return Task.CompletedTask;
    }
}
