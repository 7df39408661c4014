using LettaSockets.Server.Sockets;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Net.Http.Headers;

namespace LettaSockets.Server.Security;

/// <summary>
/// The gateway's front door (docs/PROTOCOL.md, "Connecting"), answered before any upgrade or upstream call: the
/// Origin allow-list (403), the client key (401), and the key's agent scope for the path's agent
/// (403). Applied by the <see cref="GatewayAccess.UseGatewayAccess"/> middleware to every endpoint marked with
/// <see cref="GatewayAccess.RequireGatewayAccess{TBuilder}"/>, the WebSocket endpoints included.
/// </summary>
public sealed partial class GatewayGuard(ClientKeyRing keys, OriginPolicy origins, ILogger<GatewayGuard> logger)
{
    public const string UnauthorizedCode = "unauthorized";
    public const string ForbiddenOriginCode = "forbidden_origin";
    public const string ForbiddenAgentCode = "forbidden_agent";

    /// <summary>Set when <see cref="GatewayAccess.UseGatewayAccess"/> put the guard in the pipeline (<see cref="GatewayAccessPolicy"/>).</summary>
    internal bool MiddlewareInstalled { get; set; }

    /// <summary>Admits the request or writes the refusal. On success a scoped key's agents are left in
    /// a <see cref="ClientScope"/> request feature.</summary>
    public async ValueTask<bool> AdmitAsync(HttpContext context, string? agentId)
    {
        if (!origins.IsAllowed(context.Request))
        {
            Log.Refused(logger, context.Request.Path, ForbiddenOriginCode);
            await HttpErrors.WriteAsync(context, StatusCodes.Status403Forbidden, ForbiddenOriginCode, "Pages from this origin may not use this gateway (Auth:AllowedOrigins).").ConfigureAwait(false);
            return false;
        }

        if (keys.IsOpen)
        {
            return true;
        }

        if (!keys.TryAuthenticate(PresentedKey(context), out IReadOnlySet<string>? agents))
        {
            Log.Refused(logger, context.Request.Path, UnauthorizedCode);
            context.Response.Headers.WWWAuthenticate = "Bearer";
            await HttpErrors.WriteAsync(context, StatusCodes.Status401Unauthorized, UnauthorizedCode, "A valid key is required: send \"Authorization: Bearer <key>\", or ?access_token=<key> from a browser.").ConfigureAwait(false);
            return false;
        }

        if (agents is not null && agentId is not null && !agents.Contains(agentId))
        {
            Log.Refused(logger, context.Request.Path, ForbiddenAgentCode);
            await HttpErrors.WriteAsync(context, StatusCodes.Status403Forbidden, ForbiddenAgentCode, "Your key may not use this agent.").ConfigureAwait(false);
            return false;
        }

        context.Features.Set(new ClientScope(agents));
        return true;
    }

    /// <summary>Whether the admitted request's key may use <paramref name="agentId"/> (for endpoints
    /// whose agent is in the body, e.g. <c>POST /stream</c>).</summary>
    public static bool MayUseAgent(HttpContext context, string agentId) => ClientScope.Of(context).MayUse(agentId);

    /// <summary>The header's bearer key, else the query's (already taken out of the query by
    /// <see cref="AccessTokenScrubber"/>: it is never read from the query string itself).</summary>
    private static string? PresentedKey(HttpContext context)
    {
        string authorization = context.Request.Headers[HeaderNames.Authorization].ToString();
        if (authorization.StartsWith("Bearer ", StringComparison.OrdinalIgnoreCase))
        {
            return authorization["Bearer ".Length..].Trim();
        }

        return context.Features.Get<AccessTokenFeature>()?.Token;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 7001, Level = LogLevel.Debug, Message = "Refused a request for {Path}: {Code}")]
        public static partial void Refused(ILogger logger, PathString path, string code);
    }
}
