using System.Buffers;
using System.Collections.Concurrent;
using System.Net;
using System.Net.WebSockets;
using System.Text.Json;
using System.Threading.Channels;
using LettaSockets.Protocol.Frames;
using LettaSockets.Server.Upstream;

namespace LettaSockets.Server.AppServer;

/// <summary>
/// One WebSocket to the App Server, shared by every turn of this gateway instance: a single reader
/// loop that answers commands by <c>request_id</c> and hands runtime events to the router, and a
/// single writer loop that sends commands in order. The reader never waits for a consumer, so one
/// slow client cannot hold up other turns' frames. When the socket ends, <see cref="Closed"/>
/// completes with the reason every active turn is failed with.
/// </summary>
internal sealed class AppServerSocket : IAsyncDisposable
{
    private readonly ClientWebSocket _socket;
    private readonly Action<string, JsonElement> _onEvent;
    private readonly int _maxFrameBytes;
    private readonly Channel<byte[]> _outbox = Channel.CreateUnbounded<byte[]>(new UnboundedChannelOptions { SingleReader = true });
    private readonly ConcurrentDictionary<string, TaskCompletionSource<JsonElement>> _pending = new(StringComparer.Ordinal);
    private readonly TaskCompletionSource<UpstreamException> _closed = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly CancellationTokenSource _stop = new();
    private Task _reader = Task.CompletedTask;
    private Task _writer = Task.CompletedTask;
    private long _nextRequest;

    private AppServerSocket(ClientWebSocket socket, Action<string, JsonElement> onEvent, int maxFrameBytes, long generation)
    {
        _socket = socket;
        _onEvent = onEvent;
        _maxFrameBytes = maxFrameBytes;
        Generation = generation;
    }

    /// <summary>Which connection this is (1, 2, … per gateway instance): runtimes started on an older one must start again.</summary>
    public long Generation { get; }

    /// <summary>Completes (never faults) when the socket has ended, with the error active turns get.</summary>
    public Task<UpstreamException> Closed => _closed.Task;

    public bool IsOpen => !_closed.Task.IsCompleted;

    /// <summary>Connects and starts the loops. Throws <see cref="UpstreamException"/> with the typed refusal.</summary>
    public static async Task<AppServerSocket> ConnectAsync(Uri url, string? token, AppServerOptions options, long generation, Action<string, JsonElement> onEvent, CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        socket.Options.KeepAliveInterval = options.KeepAliveInterval;
        socket.Options.KeepAliveTimeout = options.KeepAliveTimeout;
        if (!string.IsNullOrEmpty(token))
        {
            socket.Options.SetRequestHeader("Authorization", "Bearer " + token);
        }

        try
        {
            await socket.ConnectAsync(url, cancellationToken).ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or HttpRequestException or IOException)
        {
            HttpStatusCode status = socket.HttpStatusCode;
            socket.Dispose();
            throw Refused(status, e);
        }
        catch
        {
            socket.Dispose();
            throw;
        }

        var connection = new AppServerSocket(socket, onEvent, options.MaxFrameBytes, generation);
        connection._reader = connection.ReadLoopAsync();
        connection._writer = connection.WriteLoopAsync();
        return connection;
    }

    /// <summary>The typed error for a refused upgrade (letta server answers a bad token with 401 at the upgrade).</summary>
    internal static UpstreamException Refused(HttpStatusCode status, Exception inner) => (int)status switch
    {
        401 => new UpstreamException(ErrorCodes.UpstreamUnauthorized, "The App Server refused the gateway's token. Check Letta:ApiKey on the server.", false, inner: inner) { StatusCode = 401 },
        403 or 404 or 426 => new UpstreamException(ErrorCodes.UpstreamRejected, $"The App Server refused the connection (HTTP {(int)status}). Check Letta:BaseUrl: it must be the App Server's WebSocket URL, path included.", false, inner: inner) { StatusCode = (int)status },
        0 => new UpstreamException(ErrorCodes.UpstreamUnavailable, "The App Server cannot be reached.", true, null, inner.GetType().Name, inner),
        _ => new UpstreamException(ErrorCodes.UpstreamUnavailable, $"The App Server answered HTTP {(int)status} to the upgrade.", true, inner: inner) { StatusCode = (int)status },
    };

    public string NextRequestId(string prefix) => $"ls-{prefix}-{Generation}-{Interlocked.Increment(ref _nextRequest)}";

    /// <summary>Queues a command for the writer loop; false when the socket has ended.</summary>
    public bool Send(byte[] command) => IsOpen && _outbox.Writer.TryWrite(command);

    /// <summary>Sends a command and waits for its response (matched by <paramref name="requestId"/>).</summary>
    public async Task<JsonElement> RequestAsync(string requestId, byte[] command, TimeSpan timeout, CancellationToken cancellationToken)
    {
        var answer = new TaskCompletionSource<JsonElement>(TaskCreationOptions.RunContinuationsAsynchronously);
        _pending[requestId] = answer;
        try
        {
            if (!Send(command))
            {
                throw await Closed.ConfigureAwait(false);
            }

            Task<UpstreamException> closed = Closed;
            Task first = await Task.WhenAny(answer.Task, closed).WaitAsync(timeout, cancellationToken).ConfigureAwait(false);
            return first == answer.Task ? await answer.Task.ConfigureAwait(false) : throw await closed.ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw UpstreamErrors.Timeout($"The App Server did not acknowledge the command within {timeout.TotalSeconds:0.#} s.");
        }
        finally
        {
            _pending.TryRemove(requestId, out _);
        }
    }

    private async Task ReadLoopAsync()
    {
        var message = new ArrayBufferWriter<byte>(16 * 1024);
        UpstreamException reason = new(ErrorCodes.UpstreamUnavailable, "The App Server closed the connection.", true);
        try
        {
            while (true)
            {
                ValueWebSocketReceiveResult result = await _socket.ReceiveAsync(message.GetMemory(8 * 1024), _stop.Token).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    break;
                }

                message.Advance(result.Count);
                if (message.WrittenCount > _maxFrameBytes)
                {
                    reason = new UpstreamException(ErrorCodes.UpstreamUnavailable, "The App Server sent a message larger than AppServer:MaxFrameBytes.", true);
                    break;
                }

                if (!result.EndOfMessage)
                {
                    continue;
                }

                if (result.MessageType == WebSocketMessageType.Text)
                {
                    Dispatch(message.WrittenMemory);
                }

                message.ResetWrittenCount();
                if (message.Capacity > 256 * 1024)
                {
                    message = new ArrayBufferWriter<byte>(16 * 1024); // one large snapshot does not pin its buffer for the socket's life
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
            reason = new UpstreamException(ErrorCodes.UpstreamUnavailable, "The App Server connection was lost.", true, null, e.GetType().Name, e);
        }
        finally
        {
            _outbox.Writer.TryComplete();
            _closed.TrySetResult(reason);
            foreach (TaskCompletionSource<JsonElement> pending in _pending.Values)
            {
                pending.TrySetException(reason);
            }
        }
    }

    private void Dispatch(ReadOnlyMemory<byte> json)
    {
        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(json);
        }
        catch (JsonException)
        {
            _onEvent("(invalid json)", default);
            return;
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            if (root.ValueKind != JsonValueKind.Object || !root.TryGetProperty("type", out JsonElement typeElement) || typeElement.GetString() is not { } type)
            {
                _onEvent("(no type)", default);
                return;
            }

            // Responses answer a command; control_request also carries a request_id but is an event.
            bool response = type.EndsWith("_response", StringComparison.Ordinal) || type == "input_accepted";
            if (response)
            {
                // An answer nobody waits for any more (a fire-and-forget abort, a timed-out command) is dropped.
                if (root.TryGetProperty("request_id", out JsonElement id) && id.GetString() is { } requestId
                    && _pending.TryGetValue(requestId, out TaskCompletionSource<JsonElement>? answer))
                {
                    answer.TrySetResult(root.Clone());
                }

                return;
            }

            _onEvent(type, root);
        }
    }

    private async Task WriteLoopAsync()
    {
        try
        {
            await foreach (byte[] command in _outbox.Reader.ReadAllAsync(_stop.Token).ConfigureAwait(false))
            {
                await _socket.SendAsync(command, WebSocketMessageType.Text, endOfMessage: true, _stop.Token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            _socket.Abort(); // the reader sees the end and reports it
        }
    }

    public async ValueTask DisposeAsync()
    {
        _outbox.Writer.TryComplete();
        if (_socket.State == WebSocketState.Open)
        {
            try
            {
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(2));
                await _socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "gateway stopping", timeout.Token).ConfigureAwait(false);
            }
            catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
            {
            }
        }

        await _stop.CancelAsync().ConfigureAwait(false);
        _socket.Abort();
        await Task.WhenAll(_reader, _writer).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _socket.Dispose();
        _stop.Dispose();
    }
}
