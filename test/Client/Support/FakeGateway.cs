using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace LettaSockets.Client.Tests.Support;

/// <summary>
/// A WebSocket server on loopback that plays a script instead of the gateway, for what a real gateway
/// never sends (frames that are not frames). Any path accepts with the subprotocol, sends
/// <c>ready</c> and hands the socket to the script.
/// </summary>
internal sealed class FakeGateway : IAsyncDisposable
{
    private readonly WebApplication _app;

    private FakeGateway(WebApplication app, Uri baseUri)
    {
        _app = app;
        BaseUri = baseUri;
    }

    public Uri BaseUri { get; }

    public static async Task<FakeGateway> StartAsync(Func<WebSocket, Task> script)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        WebApplication app = builder.Build();
        app.UseWebSockets();
        app.Run(async context =>
        {
            if (!context.WebSockets.IsWebSocketRequest)
            {
                context.Response.StatusCode = StatusCodes.Status400BadRequest;
                return;
            }

            using WebSocket socket = await context.WebSockets.AcceptWebSocketAsync("letta-sockets.v1");
            await SendAsync(socket, """{"type":"ready","protocol":"letta-sockets.v1","connection_id":"c_fake","agent_id":"agent-fake","resumable":false,"limits":{"max_frame_bytes":65536,"max_content_chars":32000,"max_active_turns":4},"server":{"name":"Fake","version":"0"}}""");
            await script(socket);
        });
        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        return new FakeGateway(app, new Uri(app.Urls.First()));
    }

    public static Task SendAsync(WebSocket socket, string text) =>
        socket.SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text, true, CancellationToken.None);

    /// <summary>The next text frame from the client, parsed.</summary>
    public static async Task<JsonElement> ReceiveAsync(WebSocket socket)
    {
        var buffer = new byte[64 * 1024];
        int count = 0;
        ValueWebSocketReceiveResult result;
        do
        {
            result = await socket.ReceiveAsync(buffer.AsMemory(count), CancellationToken.None);
            count += result.Count;
        }
        while (!result.EndOfMessage);
        return JsonDocument.Parse(buffer.AsMemory(0, count)).RootElement.Clone();
    }

    /// <summary>
    /// Answers the first request with every kind of frame a client must ignore — not JSON, not an object,
    /// no type, fields of the wrong type, binary, another request's id, a frame after the terminal one —
    /// around one good chunk and the done; then waits for the client to close.
    /// </summary>
    public static async Task BadFramesAsync(WebSocket socket)
    {
        string id = (await ReceiveAsync(socket)).GetProperty("id").GetString()!;
        string[] bad =
        [
            "not json at all",
            "{\"type\":\"chunk\",",
            "[1,2,3]",
            "42",
            "{}",
            $$"""{"type":7,"id":"{{id}}"}""",
            """{"type":"chunk","id":5,"content":"id is a number"}""",
            $$"""{"type":"chunk","id":"{{id}}","seq":"seven","content":"seq is a string"}""",
            $$"""{"type":"chunk","id":"{{id}}","content":12}""",
            """{"type":"chunk","id":"someone-else","content":"not this turn's"}""",
            """{"type":"pong","id":"nobody-pinged"}""",
            """{"type":"error","code":"bad_frame","message":"an informational error of no request"}""",
        ];
        foreach (string frame in bad)
        {
            await SendAsync(socket, frame);
        }

        await socket.SendAsync(new byte[] { 1, 2, 3 }, WebSocketMessageType.Binary, true, CancellationToken.None);
        await SendAsync(socket, $$"""{"type":"chunk","id":"{{id}}","message_id":"m1","content":"ok"}""");
        await SendAsync(socket, $$"""{"type":"done","id":"{{id}}","stop_reason":"end_turn"}""");
        await SendAsync(socket, $$"""{"type":"chunk","id":"{{id}}","message_id":"m1","content":" after done"}""");
        await SendAsync(socket, $$"""{"type":"done","id":"{{id}}","stop_reason":"end_turn"}""");
        await DrainAsync(socket);
    }

    /// <summary>Reads until the client closes (pings answered with pongs), then closes.</summary>
    public static async Task DrainAsync(WebSocket socket)
    {
        var buffer = new byte[64 * 1024];
        while (true)
        {
            ValueWebSocketReceiveResult result;
            try
            {
                result = await socket.ReceiveAsync(buffer.AsMemory(), CancellationToken.None);
            }
            catch (WebSocketException)
            {
                return;
            }

            if (result.MessageType == WebSocketMessageType.Close)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", CancellationToken.None);
                return;
            }

            using JsonDocument frame = JsonDocument.Parse(buffer.AsMemory(0, result.Count));
            if (frame.RootElement.GetProperty("type").GetString() == "ping")
            {
                await SendAsync(socket, $$"""{"type":"pong","id":"{{frame.RootElement.GetProperty("id").GetString()}}"}""");
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }
}
