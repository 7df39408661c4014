using LettaSockets.Server.Connections;
using System.Diagnostics;
using System.Net.ServerSentEvents;
using System.Text.Json;
using LettaSockets.Protocol.Chunks;
using LettaSockets.Protocol.Frames;
using LettaSockets.Server.Observability;
using LettaSockets.Server.Security;
using LettaSockets.Server.Sockets;
using LettaSockets.Server.Turns;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Options;
using LettaSockets.Server.Upstream;

namespace LettaSockets.Server.Sse;

/// <summary>
/// <c>POST /stream</c>: the seed tutorial's SSE endpoint (docs/PROTOCOL.md, "The tutorial's SSE dialect"), on the same turn pipeline as
/// the WebSocket. Body <c>{"agent_id","message"}</c>; answer <c>text/event-stream</c>, one
/// <c>data:</c> event per frame, written and flushed as it comes (no buffering here or in proxies).
/// </summary>
public static partial class SseEndpoints
{
    public const string Path = "/stream";

    public static IEndpointRouteBuilder MapLettaSse(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapPost(Path, StreamAsync).RequireGatewayAccess();
        return endpoints;
    }

    private static async Task StreamAsync(HttpContext context)
    {
        IServiceProvider services = context.RequestServices;
        SocketOptions options = services.GetRequiredService<IOptions<SocketOptions>>().Value;
        LettaOptions letta = services.GetRequiredService<IOptions<LettaOptions>>().Value;
        var admission = new TurnAdmission(options.MaxContentChars, letta.ResumableTurns, services.GetRequiredService<TurnPump>().Capabilities);
        SseStreamRequest? request = await ReadRequestAsync(context, options, admission).ConfigureAwait(false);
        if (request is null)
        {
            return; // answered with a 4xx
        }

        // Like a WebSocket: refused while the instance drains, counted against the connection limits.
        GracefulShutdown shutdown = services.GetRequiredService<GracefulShutdown>();
        using ConnectionLimiter.Slot? slot = await services.GetRequiredService<ConnectionLimiter>().AdmitAsync(context, shutdown.IsDraining).ConfigureAwait(false);
        if (slot is null)
        {
            return;
        }

        LettaSocketsMetrics metrics = services.GetRequiredService<LettaSocketsMetrics>();
        ILogger logger = services.GetRequiredService<ILoggerFactory>().CreateLogger("LettaSockets.Sse");
        string connectionId = ConnectionIds.Next();
        string agentId = request.AgentId!;
        using IDisposable? scope = logger.BeginScope(new ConnectionLogScope(connectionId, agentId));
        TimeProvider time = services.GetRequiredService<TimeProvider>();
        InstanceBuffers buffers = services.GetRequiredService<InstanceBuffers>();
        if (buffers.IsOver)
        {
            context.Response.Headers.RetryAfter = ((int)InstanceBuffers.RetryAfter.TotalSeconds).ToString(System.Globalization.CultureInfo.InvariantCulture);
            await HttpErrors.WriteAsync(context, StatusCodes.Status503ServiceUnavailable, ErrorCodes.TooManyTurns, "This server is holding as much output for its clients as it may: try again shortly.").ConfigureAwait(false);
            return;
        }

        using var host = new SseTurnHost(connectionId, options.OutboundQueueCapacity, options.MaxQueuedBytes, services.GetRequiredService<RunCanceller>(), letta.WindDownTimeout + letta.CancelTimeout, time, context.RequestAborted, buffers.Add);
        using var formatter = new SseFrameFormatter();
        ConnectionTracker tracker = services.GetRequiredService<ConnectionTracker>();
        tracker.Add(host);
        shutdown.Enlist(host);
        metrics.ConnectionOpened(LettaSocketsMetrics.SseTransport);
        try
        {
            var info = new TurnState($"{connectionId}-1", agentId, resumable: false, Stopwatch.GetTimestamp());
            var turnRequest = new LettaTurnRequest(agentId) { TurnId = info.Id, Otid = TurnOtid.For(agentId, info.Id), Content = request.Message, ConversationId = request.ConversationId };
            var turnOptions = new TurnOptions(letta.WindDownTimeout, TurnPacer.ResolveRate(request.MaxCharsPerSecond, options.DefaultMaxCharsPerSecond, options.MaxCharsPerSecondLimit), options.MaxPacedBytes);
            host.Start(services.GetRequiredService<TurnPump>(), info, turnRequest, turnOptions);
            Log.Started(logger, connectionId, info.Id, agentId);

            PrepareResponse(context);
            await SseFormatter.WriteAsync(host.ReadFramesAsync(context.RequestAborted), context.Response.Body, formatter.Format, context.RequestAborted).ConfigureAwait(false);
            await context.Response.CompleteAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (context.RequestAborted.IsCancellationRequested && e is OperationCanceledException or IOException)
        {
            Log.ClientGone(logger, connectionId);
        }
        finally
        {
            await host.StopAsync().ConfigureAwait(false);
            tracker.Remove(host);
            metrics.FramesSent(host.FramesSent, LettaSocketsMetrics.SseTransport);
            metrics.ConnectionClosed(LettaSocketsMetrics.SseTransport);
        }
    }

    private static void PrepareResponse(HttpContext context)
    {
        HttpResponse response = context.Response;
        response.ContentType = "text/event-stream";
        response.Headers.CacheControl = "no-cache";
        response.Headers["X-Accel-Buffering"] = "no"; // nginx: pass each event on at once
        context.Features.Get<IHttpResponseBodyFeature>()?.DisableBuffering();
    }

    /// <summary>Reads and checks the body; on a problem answers 400/413 with <c>{"error":{…}}</c> and returns null.</summary>
    private static async Task<SseStreamRequest?> ReadRequestAsync(HttpContext context, SocketOptions options, TurnAdmission admission)
    {
        if (context.Features.Get<IHttpMaxRequestBodySizeFeature>() is { IsReadOnly: false } limit)
        {
            limit.MaxRequestBodySize = options.MaxFrameBytes;
        }

        SseStreamRequest? request;
        try
        {
            request = await JsonSerializer.DeserializeAsync(context.Request.Body, SseJsonContext.Default.SseStreamRequest, context.RequestAborted).ConfigureAwait(false);
        }
        catch (JsonException)
        {
            await HttpErrors.WriteAsync(context, StatusCodes.Status400BadRequest, ErrorCodes.BadFrame, "The body must be a JSON object: {\"agent_id\":\"agent-…\",\"message\":\"Hello\"}.").ConfigureAwait(false);
            return null;
        }
        catch (BadHttpRequestException e) when (e.StatusCode == StatusCodes.Status413PayloadTooLarge)
        {
            await HttpErrors.WriteAsync(context, StatusCodes.Status413PayloadTooLarge, ErrorCodes.FrameTooLarge, $"The body is larger than {options.MaxFrameBytes} bytes.").ConfigureAwait(false);
            return null;
        }

        (int status, string code, string message)? problem = null;
        if (request is null or { Message: null } or { AgentId: null })
        {
            problem = (StatusCodes.Status400BadRequest, ErrorCodes.BadFrame, "\"agent_id\" and \"message\" are both required strings.");
        }
        else if (admission.Check(new TurnAsk(request.AgentId) { Content = request.Message, ConversationId = request.ConversationId, MaxCharsPerSecond = request.MaxCharsPerSecond },
            agent => GatewayGuard.MayUseAgent(context, agent)) is { } refusal)
        {
            int status = refusal.Code switch
            {
                TurnAdmission.ForbiddenAgent => StatusCodes.Status403Forbidden,
                ErrorCodes.ContentTooLarge => StatusCodes.Status413PayloadTooLarge,
                _ => StatusCodes.Status400BadRequest,
            };
            problem = (status, refusal.Code, refusal.Message);
        }

        if (problem is { } p)
        {
            await HttpErrors.WriteAsync(context, p.status, p.code, p.message).ConfigureAwait(false);
            return null;
        }

        return request;
    }
}
