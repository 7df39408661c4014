using System.Net.WebSockets;
using System.Text;
using LettaSockets.Protocol.Json;

namespace LettaSockets.Server.Tests.Reliability.Fuzz;

/// <summary>
/// A client socket for the fuzzer: sends on the caller's schedule while one receive loop keeps every
/// frame in arrival order. Waiting is always on frames (a signal per frame), bounded by a deadline.
/// </summary>
public sealed class FuzzConnection : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly List<ServerFrame> _received = [];
    private readonly List<DateTimeOffset> _receivedAt = [];
    private readonly Lock _gate = new();
    private readonly SemaphoreSlim _arrived = new(0);
    private readonly CancellationTokenSource _stop = new();
    private Task _loop = Task.CompletedTask;

    private FuzzConnection(ClientWebSocket socket) => _socket = socket;

    public WebSocketCloseStatus? CloseStatus => _socket.CloseStatus;

    /// <summary>True once the server closed or the socket failed.</summary>
    public bool Closed { get; private set; }

    public static async Task<FuzzConnection> ConnectAsync(Uri uri, string key)
    {
        var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", $"Bearer {key}");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await socket.ConnectAsync(uri, timeout.Token);
        var connection = new FuzzConnection(socket);
        connection._loop = connection.ReceiveLoopAsync();
        return connection;
    }

    public ServerFrame[] Snapshot()
    {
        lock (_gate)
        {
            return [.. _received];
        }
    }

    /// <summary>When each frame of <see cref="Snapshot"/> arrived (wall clock, as the simulator's).</summary>
    public DateTimeOffset[] ArrivalTimes()
    {
        lock (_gate)
        {
            return [.. _receivedAt];
        }
    }

    public Task SendTextAsync(string text) => SendAsync(Encoding.UTF8.GetBytes(text), WebSocketMessageType.Text);

    public async Task SendAsync(byte[] payload, WebSocketMessageType type)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        await _socket.SendAsync(payload, type, endOfMessage: true, timeout.Token);
    }

    /// <summary>Waits until <paramref name="condition"/> holds over the frames received, the socket
    /// closes, or the deadline passes; returns whether the condition held.</summary>
    public async Task<bool> WaitForAsync(Func<IReadOnlyList<ServerFrame>, bool> condition, TimeSpan timeout)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            if (condition(Snapshot()))
            {
                return true;
            }

            TimeSpan left = deadline - DateTime.UtcNow;
            if (Closed || left <= TimeSpan.Zero)
            {
                return condition(Snapshot());
            }

            await _arrived.WaitAsync(left);
        }
    }

    private async Task ReceiveLoopAsync()
    {
        byte[] buffer = new byte[1024 * 1024];
        try
        {
            while (true)
            {
                int count = 0;
                WebSocketReceiveResult result;
                do
                {
                    result = await _socket.ReceiveAsync(new ArraySegment<byte>(buffer, count, buffer.Length - count), _stop.Token);
                    count += result.Count;
                }
                while (!result.EndOfMessage && result.MessageType != WebSocketMessageType.Close);

                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                ServerFrame frame = ServerFrame.Parse(buffer.AsSpan(0, count));
                lock (_gate)
                {
                    _received.Add(frame);
                    _receivedAt.Add(DateTimeOffset.UtcNow);
                }

                _arrived.Release();
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException)
        {
        }
        finally
        {
            Closed = true;
            _arrived.Release();
        }
    }

    public async ValueTask DisposeAsync()
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            if (_socket.State == WebSocketState.Open)
            {
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "fuzz done", timeout.Token);
            }

            await _loop.WaitAsync(timeout.Token);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or TimeoutException)
        {
        }

        _stop.Cancel();
        _socket.Abort();
        _socket.Dispose();
        _stop.Dispose();
        _arrived.Dispose();
    }
}
