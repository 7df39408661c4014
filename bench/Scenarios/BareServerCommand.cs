using System.Buffers;
using System.Globalization;
using System.Net.WebSockets;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;
using LettaSockets.Protocol.Chunks;
using System.Threading.Channels;

namespace LettaSockets.Bench.Scenarios;

/// <summary>
/// <c>bare-server --port P</c>: the density floor. Kestrel and ASP.NET Core's WebSocket middleware with
/// the gateway's keepalive settings and nothing else: accept, send one <c>ready</c>-like frame, then
/// wait in a zero-byte receive like the gateway's reader. What an idle connection costs here, any
/// ASP.NET Core WebSocket server pays; the gateway's own share is the difference.
/// </summary>
internal static class BareServerCommand
{
    private static readonly byte[] Ready = """{"type":"ready","protocol":"bare"}"""u8.ToArray();

    public static async Task<int> RunAsync(string[] args)
    {
        int port = int.Parse(args[Array.IndexOf(args, "--port") + 1], CultureInfo.InvariantCulture);
        bool loops = args.Contains("--loops");
        WebApplicationBuilder builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        // As the gateway runs by default (LettaSocketsApp.QuietRequestDiagnostics): no request logs, so no
        // Activity and log scope per request either.
        builder.Logging.AddFilter(LettaSockets.Server.Hosting.LettaSocketsApp.RequestDiagnosticsCategory, LogLevel.None);
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        WebApplication app = builder.Build();
        app.UseWebSockets();
        app.MapGet("/api/agents", () => Results.Text("[]", "application/json"));

        // For the density scenario only: the live managed heap after a full, compacting collection,
        // so the floor's RSS per connection can be split into managed objects and everything else.
        app.MapGet("/_heap", () =>
        {
            GC.Collect(GC.MaxGeneration, GCCollectionMode.Forced, blocking: true, compacting: true);
            GC.WaitForPendingFinalizers();
            return Results.Text(GC.GetTotalMemory(forceFullCollection: true).ToString(CultureInfo.InvariantCulture));
        });
        app.Map("/ws/{agentId}", async (HttpContext context) =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return;
            }

            using WebSocket socket = await context.WebSockets.AcceptWebSocketAsync(new WebSocketAcceptContext
            {
                KeepAliveInterval = TimeSpan.FromSeconds(20),
                KeepAliveTimeout = TimeSpan.FromSeconds(20),
            }).ConfigureAwait(false);
            CancellationToken aborted = context.RequestAborted;
            if (loops)
            {
                await RunLoopsAsync(socket, aborted).ConfigureAwait(false);
                return;
            }

            try
            {
                await socket.SendAsync(Ready, WebSocketMessageType.Text, endOfMessage: true, aborted).ConfigureAwait(false);
                await ReceiveUntilCloseAsync(socket, aborted).ConfigureAwait(false);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
            {
            }
        });
        await app.RunAsync().ConfigureAwait(false);
        return 0;
    }

    /// <summary>Like the gateway's reader: waits with a zero-byte read, so an idle connection holds no receive
    /// buffer, and rents one only while a message is being read; returns at the client's close.</summary>
    private static async Task ReceiveUntilCloseAsync(WebSocket socket, CancellationToken token)
    {
        while (true)
        {
            ValueWebSocketReceiveResult peek = await socket.ReceiveAsync(Memory<byte>.Empty, token).ConfigureAwait(false);
            if (peek.MessageType == WebSocketMessageType.Close)
            {
                return;
            }

            byte[] buffer = ArrayPool<byte>.Shared.Rent(4096);
            try
            {
                ValueWebSocketReceiveResult read = await socket.ReceiveAsync(buffer.AsMemory(), token).ConfigureAwait(false);
                if (read.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }
            }
            finally
            {
                ArrayPool<byte>.Shared.Return(buffer);
            }
        }
    }

    /// <summary>
    /// <c>--loops</c>: the connection shape the product's owner asked for and nothing else — a bounded
    /// <c>Channel&lt;StreamChunk&gt;</c> (single reader), a reader loop waiting in a zero-byte receive and a writer
    /// loop draining the channel, the session ending when either does (one cancellation source stops both).
    /// What an idle connection costs here is the floor of that design on ASP.NET Core.
    /// </summary>
    private static async Task RunLoopsAsync(WebSocket socket, CancellationToken aborted)
    {
        using var stop = CancellationTokenSource.CreateLinkedTokenSource(aborted);
        Channel<StreamChunk> outbound = Channel.CreateBounded<StreamChunk>(new BoundedChannelOptions(256) { SingleReader = true, FullMode = BoundedChannelFullMode.Wait });

        async Task ReadAsync()
        {
            try
            {
                await ReceiveUntilCloseAsync(socket, stop.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
            {
            }
        }

        async Task WriteAsync()
        {
            try
            {
                // As the gateway's writer: `ready` first, without the channel, which then holds no storage.
                await socket.SendAsync(Ready, WebSocketMessageType.Text, endOfMessage: true, stop.Token).ConfigureAwait(false);
                while (await outbound.Reader.WaitToReadAsync(stop.Token).ConfigureAwait(false))
                {
                    while (outbound.Reader.TryRead(out StreamChunk chunk))
                    {
                        await socket.SendAsync(chunk.Kind == ChunkKind.Pong ? Ready : "{}"u8.ToArray(), WebSocketMessageType.Text, endOfMessage: true, stop.Token).ConfigureAwait(false);
                    }
                }
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
            {
            }
        }

        Task reading = ReadAsync();
        Task writing = WriteAsync();
        await Task.WhenAny(reading, writing).ConfigureAwait(false);
        await stop.CancelAsync().ConfigureAwait(false);
        await Task.WhenAll(reading, writing).ConfigureAwait(false);
    }
}
