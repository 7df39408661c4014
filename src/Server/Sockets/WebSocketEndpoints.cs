using LettaSockets.Server.Connections;
using System.Net.WebSockets;
using LettaSockets.Protocol;
using LettaSockets.Protocol.Frames;
using LettaSockets.Server.Observability;
using LettaSockets.Server.Security;
using LettaSockets.Server.Turns;
using Microsoft.Extensions.Options;
using LettaSockets.Server.Upstream;

namespace LettaSockets.Server.Sockets;

/// <summary>Maps <c>GET /ws/{agentId}</c> and <c>GET /ws</c> (docs/PROTOCOL.md, "Connecting").</summary>
public static class WebSocketEndpoints
{
    /// <summary>HTTP error code of the 503 for <c>Limits:MaxConnections</c> / <c>Limits:MaxConnectionsPerIp</c>.</summary>
    public const string TooManyConnections = ConnectionLimiter.TooManyConnections;

    public static IEndpointRouteBuilder MapLettaWebSockets(this IEndpointRouteBuilder endpoints)
    {
        // A WebSocket request lives as long as its socket, and so does whatever the endpoint keeps (measured with
        // dotnet-gcdump per idle connection): the services, all singletons, come from the application rather than
        // the request, which would open a DI scope (≈ 280 B); and these are plain request delegates, where a
        // parameter-bound endpoint with a filter keeps its generated wrapper's state alive (≈ 400 B). The front
        // door is the same middleware as every other endpoint's (GatewayAccess), run before the delegate.
        IServiceProvider services = endpoints.ServiceProvider;
        endpoints.Map("/ws/{agentId}", context => AcceptAsync(services, context, context.GetRouteValue(GatewayAccess.AgentRouteValue) as string)).RequireGatewayAccess();
        endpoints.Map("/ws", context => AcceptAsync(services, context, null)).RequireGatewayAccess();
        return endpoints;
    }

    private static async Task AcceptAsync(IServiceProvider services, HttpContext context, string? pathAgentId)
    {
        if (pathAgentId is not null && !AgentIds.IsValid(pathAgentId))
        {
            await HttpErrors.WriteAsync(context, StatusCodes.Status400BadRequest, ErrorCodes.InvalidAgentId, "An agent id is 1 to 128 letters, digits, '-' or '_'.").ConfigureAwait(false);
            return;
        }

        if (!context.WebSockets.IsWebSocketRequest)
        {
            await HttpErrors.WriteAsync(context, StatusCodes.Status400BadRequest, "bad_request", "This endpoint speaks WebSocket: connect with a WebSocket client (see /docs/PROTOCOL.md).").ConfigureAwait(false);
            return;
        }

        GracefulShutdown shutdown = services.GetRequiredService<GracefulShutdown>();
        using ConnectionLimiter.Slot? slot = await services.GetRequiredService<ConnectionLimiter>().AdmitAsync(context, shutdown.IsDraining).ConfigureAwait(false);
        if (slot is null)
        {
            return;
        }

        SocketOptions options = services.GetRequiredService<IOptions<SocketOptions>>().Value;
        LettaOptions letta = services.GetRequiredService<IOptions<LettaOptions>>().Value;
        string connectionId = ConnectionIds.Next();
        string? agentId = pathAgentId ?? NullIfEmpty(letta.DefaultAgentId);

        var accept = new WebSocketAcceptContext
        {
            SubProtocol = context.WebSockets.WebSocketRequestedProtocols.Contains(ProtocolInfo.SubProtocol) ? ProtocolInfo.SubProtocol : null,
            KeepAliveInterval = options.KeepAliveInterval,
            KeepAliveTimeout = options.KeepAliveTimeout,
            DangerousEnableCompression = options.Compression,
            // No deflate state kept between messages: an idle compressed socket then costs about what a
            // plain one does (with context takeover each kept ~300 KiB), at some compression ratio.
            DisableServerContextTakeover = !options.CompressionKeepsContext,
        };

        LettaSocketsMetrics metrics = services.GetRequiredService<LettaSocketsMetrics>();
        using WebSocket socket = await context.WebSockets.AcceptWebSocketAsync(accept).ConfigureAwait(false);
        ILogger logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("LettaSockets.Sockets");
        using var session = new SocketSession(
            socket,
            new SessionContext(connectionId, agentId, Security.ClientScope.Of(context).Agents),
            options,
            letta,
            services.GetRequiredService<TurnPump>(),
            services.GetRequiredService<RunCanceller>(),
            services.GetRequiredService<TimeProvider>(),
            logger,
            context.RequestAborted,
            services.GetRequiredService<InstanceBuffers>())
        {
            Metrics = metrics,
            RateLimiter = services.GetRequiredService<MessageRateLimiter>(),
        };
        ConnectionTracker tracker = services.GetRequiredService<ConnectionTracker>();
        tracker.Add(session);
        shutdown.Enlist(session);
        metrics.ConnectionOpened(LettaSocketsMetrics.WebSocketTransport);
        try
        {
            await session.RunAsync().ConfigureAwait(false);
        }
        finally
        {
            metrics.ConnectionClosed(LettaSocketsMetrics.WebSocketTransport);
            slot.Dispose(); // before the tracker can report "empty": a waiter may connect again at once
            tracker.Remove(session);
        }
    }

    private static string? NullIfEmpty(string? value) => string.IsNullOrWhiteSpace(value) ? null : value;
}
