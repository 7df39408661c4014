using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Text;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace LettaSockets.Server.Tests.AppServer;

/// <summary>
/// A WebSocket relay between the gateway and the real App Server that can add frames the App Server
/// never sends (a future frame type, an unknown delta) or cut the connection, at a moment the test
/// picks: the first App Server frame whose text contains a trigger.
/// </summary>
public sealed class AppServerRelay : IAsyncDisposable
{
    private readonly WebApplication _app;
    private readonly ConcurrentQueue<(string Trigger, string[] Inject)> _rules = new();

    private AppServerRelay(WebApplication app, Uri url)
    {
        _app = app;
        Url = url;
    }

    public Uri Url { get; }

    /// <summary>Upgrade requests seen, with their headers (to check what the gateway sends upstream).</summary>
    public ConcurrentQueue<IHeaderDictionary> Upgrades { get; } = new();

    public static async Task<AppServerRelay> StartAsync(Uri upstream)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        WebApplication app = builder.Build();
        app.UseWebSockets();
        AppServerRelay? self = null;
        app.Map("/ws", (HttpContext context) => self!.RelayAsync(context, upstream));
        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        self = new AppServerRelay(app, new Uri(app.Urls.First().Replace("http://", "ws://", StringComparison.Ordinal) + "/ws"));
        return self;
    }

    /// <summary>After the first App Server frame containing <paramref name="trigger"/>, the relay sends <paramref name="inject"/> to the gateway.</summary>
    public void InjectAfter(string trigger, params string[] inject) => _rules.Enqueue((trigger, inject));

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }

    private async Task RelayAsync(HttpContext context, Uri upstream)
    {
        Upgrades.Enqueue(new HeaderDictionary(context.Request.Headers.ToDictionary(h => h.Key, h => h.Value)));
        using var server = new ClientWebSocket();
        if (context.Request.Headers.Authorization is { Count: > 0 } authorization)
        {
            server.Options.SetRequestHeader("Authorization", authorization.ToString());
        }

        await server.ConnectAsync(upstream, context.RequestAborted);
        using WebSocket client = await context.WebSockets.AcceptWebSocketAsync();
        using var done = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted);
        Task up = PumpAsync(client, server, inspect: false, done.Token);
        Task down = PumpAsync(server, client, inspect: true, done.Token);
        await Task.WhenAny(up, down);
        await done.CancelAsync();
        await Task.WhenAll(up, down).ContinueWith(_ => { }, TaskScheduler.Default);
    }

    private async Task PumpAsync(WebSocket from, WebSocket to, bool inspect, CancellationToken cancellationToken)
    {
        var buffer = new byte[1 << 20];
        try
        {
            while (true)
            {
                int length = 0;
                ValueWebSocketReceiveResult result;
                do
                {
                    result = await from.ReceiveAsync(buffer.AsMemory(length), cancellationToken);
                    length += result.Count;
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    await to.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "relay", cancellationToken);
                    return;
                }

                await to.SendAsync(buffer.AsMemory(0, length), result.MessageType, true, cancellationToken);
                if (inspect && !_rules.IsEmpty && _rules.TryPeek(out var rule) && Encoding.UTF8.GetString(buffer, 0, length).Contains(rule.Trigger, StringComparison.Ordinal)
                    && _rules.TryDequeue(out rule))
                {
                    foreach (string frame in rule.Inject)
                    {
                        await to.SendAsync(Encoding.UTF8.GetBytes(frame), WebSocketMessageType.Text, true, cancellationToken);
                    }
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            to.Abort();
        }
    }
}
