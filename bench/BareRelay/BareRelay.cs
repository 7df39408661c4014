using System.Globalization;
using System.Net.Http.Headers;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace LettaSockets.BareRelay;

/// <summary>
/// <c>bare-relay --port P --simulator URL</c>: the relay floor for the latency scenarios. The least a
/// .NET relay of Letta's SSE to WebSocket can do: Kestrel's WebSocket middleware in front, one
/// <c>HttpClient</c> stream behind, and for every SSE event one text frame, written straight from the
/// read loop (no JSON parsing, no queue, no second loop, no cancel, no limits). Its frames look like
/// the gateway's to the load generator (<c>{"type":"chunk",…}</c>, then <c>{"type":"done"}</c>).
/// The bench runs it two ways: as its own sub-command, JIT-compiled and warmed (the latency scenario), and
/// published like the gateway, as one native executable (this project, <c>PublishAot</c>), fresh, for the
/// cold scenario's floor. With <c>--thinking</c> it also sends what docs/PROTOCOL.md asks of every turn
/// before any byte goes to Letta, a <c>status: thinking</c> frame, straight from the loop: the least a
/// relay of this protocol does per turn start (an experiment: <c>BENCH_RELAY_ARGS=--thinking</c>).
/// </summary>
public static class Relay
{
    private static readonly byte[] Ready = """{"type":"ready","protocol":"bare-relay"}"""u8.ToArray();
    private static readonly byte[] Done = """{"type":"done"}"""u8.ToArray();
    private static readonly byte[] Thinking = """{"type":"status","status":"thinking"}"""u8.ToArray();
    private static readonly byte[] ChunkPrefix = """{"type":"chunk","""u8.ToArray();
    private static readonly byte[] ContentKey = "\"content\":\""u8.ToArray();

    public static async Task<int> RunAsync(string[] args)
    {
        int port = int.Parse(args[Array.IndexOf(args, "--port") + 1], CultureInfo.InvariantCulture);
        var simulator = new Uri(args[Array.IndexOf(args, "--simulator") + 1]);
        bool thinking = args.Contains("--thinking");
        using var http = new HttpClient(new SocketsHttpHandler { UseProxy = false, MaxConnectionsPerServer = int.MaxValue }) { Timeout = Timeout.InfiniteTimeSpan };
        WebApplicationBuilder builder = WebApplication.CreateBuilder(new WebApplicationOptions { Args = [] });
        builder.Logging.SetMinimumLevel(LogLevel.Warning);
        builder.WebHost.UseUrls($"http://127.0.0.1:{port}");
        WebApplication app = builder.Build();
        app.UseWebSockets();
        app.MapGet("/api/agents", () => Results.Text("[]", "application/json"));
        app.Map("/ws/{agentId}", async (HttpContext context, string agentId) =>
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
            try
            {
                await RelayAsync(socket, http, new Uri(simulator, $"v1/agents/{agentId}/messages"), thinking, context.RequestAborted).ConfigureAwait(false);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or HttpRequestException)
            {
            }
        });
        await app.RunAsync().ConfigureAwait(false);
        return 0;
    }

    private static async Task RelayAsync(WebSocket socket, HttpClient http, Uri messages, bool thinking, CancellationToken aborted)
    {
        await socket.SendAsync(Ready, WebSocketMessageType.Text, endOfMessage: true, aborted).ConfigureAwait(false);
        byte[] message = new byte[16 * 1024];
        byte[] read = new byte[16 * 1024];
        byte[] frame = new byte[16 * 1024];
        while (true)
        {
            int length = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(message.AsMemory(length), aborted).ConfigureAwait(false);
                length += result.Count;
            }
            while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

            if (result.MessageType == WebSocketMessageType.Close)
            {
                return;
            }

            if (thinking)
            {
                await socket.SendAsync(Thinking, WebSocketMessageType.Text, endOfMessage: true, aborted).ConfigureAwait(false);
            }

            string content = ContentOf(message.AsSpan(0, length));
            string body = $$"""{"messages":[{"type":"message","role":"user","content":"{{content}}"}],"streaming":true,"stream_tokens":true,"include_pings":true}""";
            using var request = new HttpRequestMessage(HttpMethod.Post, messages)
            {
                Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
            };
            using HttpResponseMessage response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, aborted).ConfigureAwait(false);
            await using Stream stream = await response.Content.ReadAsStreamAsync(aborted).ConfigureAwait(false);
            int filled = 0;
            int n;
            while ((n = await stream.ReadAsync(read.AsMemory(filled), aborted).ConfigureAwait(false)) > 0)
            {
                filled += n;
                int start = 0;
                int end;
                while ((end = read.AsSpan(start, filled - start).IndexOf("\n\n"u8)) >= 0)
                {
                    ReadOnlySpan<byte> line = read.AsSpan(start, end);
                    start += end + 2;
                    if (!line.StartsWith("data: {"u8))
                    {
                        continue;
                    }

                    ReadOnlySpan<byte> json = line[7..]; // after "data: {"
                    ChunkPrefix.CopyTo(frame, 0);
                    json.CopyTo(frame.AsSpan(ChunkPrefix.Length));
                    await socket.SendAsync(frame.AsMemory(0, ChunkPrefix.Length + json.Length), WebSocketMessageType.Text, endOfMessage: true, aborted).ConfigureAwait(false);
                }

                read.AsSpan(start, filled - start).CopyTo(read);
                filled -= start;
            }

            await socket.SendAsync(Done, WebSocketMessageType.Text, endOfMessage: true, aborted).ConfigureAwait(false);
        }
    }

    private static string ContentOf(ReadOnlySpan<byte> message)
    {
        int at = message.IndexOf(ContentKey);
        ReadOnlySpan<byte> rest = message[(at + ContentKey.Length)..];
        return Encoding.UTF8.GetString(rest[..rest.IndexOf((byte)'"')]);
    }
}
