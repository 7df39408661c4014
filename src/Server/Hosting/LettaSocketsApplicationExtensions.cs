using LettaSockets.Server.Health;
using LettaSockets.Server.Security;
using LettaSockets.Server.Sockets;
using LettaSockets.Server.Sse;
using LettaSockets.Server.Upstream;

namespace LettaSockets.Server.Hosting;

/// <summary>Maps the gateway's middleware and endpoints.</summary>
public static class LettaSocketsApplicationExtensions
{
    public static WebApplication MapLettaSockets(this WebApplication app)
    {
        app.UseWebSockets();
        app.UseDefaultFiles();
        app.UseStaticFiles();
        app.MapLettaWebSockets();
        app.MapLettaSse();
        app.MapAgentsApi();
        app.MapGatewayHealth();
        return app;
    }

    /// <summary><c>GET /api/agents</c>: Letta's agents, id and name only (the page's picker).</summary>
    public static IEndpointRouteBuilder MapAgentsApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/agents", async (HttpContext context, IUpstream letta) =>
        {
            try
            {
                IReadOnlyList<AgentSummary> agents = await letta.ListAgentsAsync(context.RequestAborted).ConfigureAwait(false);
                agents = [.. agents.Where(a => GatewayGuard.MayUseAgent(context, a.Id))]; // a scoped key sees its agents only
                context.Response.ContentType = "application/json; charset=utf-8";
                await System.Text.Json.JsonSerializer.SerializeAsync(context.Response.Body, agents, ServerJsonContext.Default.IReadOnlyListAgentSummary, context.RequestAborted).ConfigureAwait(false);
            }
            catch (UpstreamException e)
            {
                await HttpErrors.WriteAsync(context, StatusCodes.Status502BadGateway, e.Code, e.Message, e.RetryAfter).ConfigureAwait(false);
            }
        }).RequireGatewayAccess();
        return endpoints;
    }
}
