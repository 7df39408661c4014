using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using LettaSockets.Protocol.Json;

namespace LettaSockets.Testing;

/// <summary>A WebSocket client for tests: every receive is bounded by a timeout, every frame kept.</summary>
public sealed class TestClient : IAsyncDisposable
{
    public static readonly TimeSpan DefaultTimeout = TimeSpan.FromSeconds(15);
    private readonly byte[] _buffer = new byte[4 * 1024 * 1024];

    private TestClient(ClientWebSocket socket) => Socket = socket;

    public ClientWebSocket Socket { get; }

    /// <summary>Every frame received, in order.</summary>
    public List<ServerFrame> Received { get; } = [];

    public ServerFrame Ready { get; private set; } = null!;

    /// <summary>How the server closed the socket, once it did.</summary>
    public WebSocketCloseStatus? CloseStatus => Socket.CloseStatus;

    public static Task<TestClient> ConnectAsync(Uri uri, Action<ClientWebSocketOptions>? configure = null) =>
        ConnectAsync(uri, invoker: null, configure);

    /// <summary>Connects through <paramref name="invoker"/> when given (e.g. a handler whose sockets have a
    /// small receive buffer, so a client that stops reading backs the server up at once).</summary>
    public static async Task<TestClient> ConnectAsync(Uri uri, HttpMessageInvoker? invoker, Action<ClientWebSocketOptions>? configure = null)
    {
        var socket = new ClientWebSocket();
        configure?.Invoke(socket.Options);
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        await socket.ConnectAsync(uri, invoker, timeout.Token);
        var client = new TestClient(socket);
        client.Ready = await client.ReceiveAsync();
        Assert.AreEqual("ready", client.Ready.Type, "the first frame is ready");
        return client;
    }

    public Task SendAsync(string text) => SendRawAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text);

    public Task SendJsonAsync(object frame) => SendAsync(JsonSerializer.Serialize(frame));

    public Task SendMessageAsync(string id, string content, string? agentId = null) =>
        SendJsonAsync(agentId is null ? new { type = "message", id, content } : new { type = "message", id, content, agent_id = agentId });

    public Task CancelAsync(string? id = null) => SendJsonAsync(id is null ? new { type = "cancel" } : new { type = "cancel", id });

    public async Task SendRawAsync(byte[] payload, WebSocketMessageType type)
    {
        using var timeout = new CancellationTokenSource(DefaultTimeout);
        await Socket.SendAsync(payload, type, endOfMessage: true, timeout.Token);
    }

    /// <summary>The next frame; fails the test if none arrives in time or the socket closes.</summary>
    public async Task<ServerFrame> ReceiveAsync(TimeSpan? timeout = null)
    {
        ServerFrame? frame = await TryReceiveAsync(timeout ?? DefaultTimeout);
        return frame ?? throw new AssertFailedException($"The server closed the socket ({Socket.CloseStatus} {Socket.CloseStatusDescription}) instead of sending a frame.");
    }

    /// <summary>The next frame, or null when the server closed the socket.</summary>
    public async Task<ServerFrame?> TryReceiveAsync(TimeSpan timeout)
    {
        using var cts = new CancellationTokenSource(timeout);
        int count = 0;
        while (true)
        {
            WebSocketReceiveResult result;
            try
            {
                result = await Socket.ReceiveAsync(new ArraySegment<byte>(_buffer, count, _buffer.Length - count), cts.Token);
            }
            catch (OperationCanceledException)
            {
                throw new AssertFailedException($"No frame within {timeout.TotalSeconds} s.");
            }

            if (result.MessageType == WebSocketMessageType.Close)
            {
                return null;
            }

            count += result.Count;
            if (result.EndOfMessage)
            {
                ServerFrame frame = ServerFrame.Parse(_buffer.AsSpan(0, count));
                Received.Add(frame);
                return frame;
            }
        }
    }

    /// <summary>Reads until <paramref name="stop"/> matches a frame; returns every frame read, that one included.</summary>
    public async Task<List<ServerFrame>> ReadUntilAsync(Func<ServerFrame, bool> stop, TimeSpan? timeout = null)
    {
        var frames = new List<ServerFrame>();
        DateTime deadline = DateTime.UtcNow + (timeout ?? DefaultTimeout);
        while (true)
        {
            TimeSpan left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                throw new AssertFailedException("The expected frame did not arrive in time.");
            }

            ServerFrame frame = await ReceiveAsync(left);
            frames.Add(frame);
            if (stop(frame))
            {
                return frames;
            }
        }
    }

    /// <summary>Reads until the terminal frame of <paramref name="id"/>; returns that turn's frames.</summary>
    public async Task<List<ServerFrame>> ReadTurnAsync(string id, TimeSpan? timeout = null)
    {
        List<ServerFrame> frames = await ReadUntilAsync(f => f.Id == id && f.IsTerminal, timeout);
        return frames.Where(f => f.Id == id).ToList();
    }

    /// <summary>Sends a ping and reads up to its pong: everything the server queued before is then in <see cref="Received"/>.</summary>
    public async Task<List<ServerFrame>> BarrierAsync()
    {
        string id = "barrier-" + Guid.NewGuid().ToString("N");
        await SendJsonAsync(new { type = "ping", id });
        return await ReadUntilAsync(f => f.Type == "pong" && f.Id == id);
    }

    public static string Text(IEnumerable<ServerFrame> frames) =>
        string.Concat(frames.Where(f => f.Type == "chunk").Select(f => f.Content));

    public async ValueTask DisposeAsync()
    {
        if (Socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
        {
            // CloseReceived: the server closed; answering completes its close handshake at once.
            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
            try
            {
                await Socket.CloseAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException)
            {
            }
        }

        Socket.Dispose();
    }
}
