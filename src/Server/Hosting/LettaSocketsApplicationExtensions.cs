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
        app.UseGatewayAccess(); // after routing (which the host puts first), before any endpoint runs
        app.UseDefaultFiles();

        // The client library's type declarations (letta-sockets.d.ts) are TypeScript, not an MPEG stream.
        var contentTypes = new Microsoft.AspNetCore.StaticFiles.FileExtensionContentTypeProvider();
        contentTypes.Mappings[".ts"] = "application/typescript; charset=utf-8";
        app.UseStaticFiles(new StaticFileOptions { ContentTypeProvider = contentTypes });
        app.MapLettaWebSockets();
        app.MapLettaSse();
        app.MapAgentsApi();
        app.MapConversationsApi();
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

    /// <summary>
    /// <c>GET /api/agents/{agentId}/conversations</c> (newest first, <c>?limit=</c> 1–100, default 50)
    /// and <c>POST</c> to the same path (optional body <c>{"summary":…}</c>): an agent's conversations, under
    /// the same keys, scopes and Origin rules as <c>/api/agents</c>. An agent the key may not use reads
    /// exactly like an unknown one.
    /// </summary>
    public static IEndpointRouteBuilder MapConversationsApi(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapGet("/api/agents/{agentId}/conversations", async (HttpContext context, string agentId, IUpstream letta) =>
        {
            if (!await CheckAgentAsync(context, agentId).ConfigureAwait(false))
            {
                return;
            }

            int limit = int.TryParse(context.Request.Query["limit"], System.Globalization.NumberStyles.None, System.Globalization.CultureInfo.InvariantCulture, out int asked) ? Math.Clamp(asked, 1, 100) : 50;
            await AnswerAsync(context, async () =>
            {
                IReadOnlyList<ConversationSummary> conversations = await letta.ListConversationsAsync(agentId, limit, context.RequestAborted).ConfigureAwait(false);
                await WriteJsonAsync(context, StatusCodes.Status200OK, conversations, ServerJsonContext.Default.IReadOnlyListConversationSummary).ConfigureAwait(false);
            }).ConfigureAwait(false);
        }).RequireGatewayAccess();

        endpoints.MapPost("/api/agents/{agentId}/conversations", async (HttpContext context, string agentId, IUpstream letta) =>
        {
            if (!await CheckAgentAsync(context, agentId).ConfigureAwait(false))
            {
                return;
            }

            NewConversation? body = null;
            if (context.Request.ContentLength is > 0 || context.Request.Headers.TransferEncoding.Count > 0)
            {
                try
                {
                    body = await System.Text.Json.JsonSerializer.DeserializeAsync(context.Request.Body, ServerJsonContext.Default.NewConversation, context.RequestAborted).ConfigureAwait(false);
                }
                catch (System.Text.Json.JsonException)
                {
                    await HttpErrors.WriteAsync(context, StatusCodes.Status400BadRequest, Protocol.Frames.ErrorCodes.BadFrame, "The body must be empty or a JSON object like {\"summary\":\"…\"}.").ConfigureAwait(false);
                    return;
                }
            }

            await AnswerAsync(context, async () =>
            {
                ConversationSummary created = await letta.CreateConversationAsync(agentId, body?.Summary, context.RequestAborted).ConfigureAwait(false);
                await WriteJsonAsync(context, StatusCodes.Status201Created, created, ServerJsonContext.Default.ConversationSummary).ConfigureAwait(false);
            }).ConfigureAwait(false);
        }).RequireGatewayAccess();
        return endpoints;
    }

    private static async Task<bool> CheckAgentAsync(HttpContext context, string agentId)
    {
        if (!Protocol.Frames.AgentIds.IsValid(agentId))
        {
            await HttpErrors.WriteAsync(context, StatusCodes.Status400BadRequest, Protocol.Frames.ErrorCodes.InvalidAgentId, "An agent id is 1 to 128 letters, digits, '-' or '_'.").ConfigureAwait(false);
            return false;
        }

        if (!GatewayGuard.MayUseAgent(context, agentId))
        {
            // Indistinguishable from an agent that does not exist (docs/PROTOCOL.md, rule 7).
            await HttpErrors.WriteAsync(context, StatusCodes.Status404NotFound, Protocol.Frames.ErrorCodes.AgentNotFound, "No such agent.").ConfigureAwait(false);
            return false;
        }

        return true;
    }

    private static async Task AnswerAsync(HttpContext context, Func<Task> answer)
    {
        try
        {
            await answer().ConfigureAwait(false);
        }
        catch (UpstreamException e)
        {
            int status = e.Code switch
            {
                Protocol.Frames.ErrorCodes.AgentNotFound => StatusCodes.Status404NotFound,
                Protocol.Frames.ErrorCodes.UnsupportedFrame => StatusCodes.Status501NotImplemented,
                _ => StatusCodes.Status502BadGateway,
            };
            await HttpErrors.WriteAsync(context, status, e.Code, e.Message, e.RetryAfter).ConfigureAwait(false);
        }
    }

    private static async Task WriteJsonAsync<T>(HttpContext context, int status, T value, System.Text.Json.Serialization.Metadata.JsonTypeInfo<T> type)
    {
        context.Response.StatusCode = status;
        context.Response.ContentType = "application/json; charset=utf-8";
        await System.Text.Json.JsonSerializer.SerializeAsync(context.Response.Body, value, type, context.RequestAborted).ConfigureAwait(false);
    }
}
