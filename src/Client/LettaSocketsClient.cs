using System.Buffers;
using System.Collections.Concurrent;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using System.Text.Json;
using LettaSockets.Client.Internal;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Logging.Abstractions;

namespace LettaSockets.Client;

/// <summary>
/// A client of the LettaSockets protocol (docs/PROTOCOL.md): one WebSocket, many turns at once, each
/// an <see cref="IAsyncEnumerable{T}"/> of typed frames. Cancelling an enumeration's token sends
/// <c>cancel</c>; the socket reopens after a loss and resumable turns continue where they stopped.
/// </summary>
public sealed partial class LettaSocketsClient : IAsyncDisposable
{
    private static readonly TimeSpan s_closeTimeout = TimeSpan.FromSeconds(5);

    private readonly Uri _uri;
    private readonly LettaSocketsClientOptions _options;
    private readonly ILogger _logger;
    private readonly ConcurrentDictionary<string, ClientTurn> _turns = new(StringComparer.Ordinal);
    private readonly ConcurrentDictionary<string, TaskCompletionSource> _pings = new(StringComparer.Ordinal);
    private readonly SemaphoreSlim _sendLock = new(1, 1);
    private readonly CancellationTokenSource _stopping = new();
    private readonly FrameReader _reader = new();
    private readonly Lock _stateGate = new();
    private readonly string _idPrefix;
    private TaskCompletionSource _live = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private byte[] _buffer = ArrayPool<byte>.Shared.Rent(16 * 1024);
    private ClientWebSocket? _socket;
    private Task _loop = Task.CompletedTask;
    private long _ids;
    private int _closing;

    private LettaSocketsClient(Uri uri, LettaSocketsClientOptions options)
    {
        _uri = uri;
        _options = options;
        _logger = options.Logger ?? NullLogger.Instance;
        // Request ids should be unique per agent (a resume without run_id finds the run by its id): random per client.
        _idPrefix = options.IdPrefix ?? $"n{Random.Shared.NextInt64(1L << 40, 1L << 44):x}";
    }

    /// <summary>The latest <c>ready</c> frame: the socket's agent, limits, whether turns can be resumed.</summary>
    public ReadyFrame Ready { get; private set; } = new();

    public ConnectionState State { get; private set; }

    /// <summary>Raised on the client's receive loop when <see cref="State"/> changes; keep handlers short.</summary>
    public event EventHandler<ConnectionState>? StateChanged;

    /// <summary>
    /// Opens a socket to <c>/ws/{agentId}</c> (or <c>/ws</c>) of the gateway at <paramref name="uri"/> (http, https,
    /// ws or wss; a <c>/ws…</c> path is used as it is) and waits for its <c>ready</c> frame.
    /// </summary>
    /// <exception cref="WebSocketException">The gateway refused or could not be reached.</exception>
    /// <exception cref="LettaSocketsException">The first frame was not <c>ready</c>.</exception>
    public static async Task<LettaSocketsClient> ConnectAsync(Uri uri, string? agentId = null, LettaSocketsClientOptions? options = null, CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(uri);
        var client = new LettaSocketsClient(SocketUri(uri, agentId), options ?? new LettaSocketsClientOptions());
        try
        {
            (client._socket, client.Ready) = await client.OpenAsync(cancellationToken).ConfigureAwait(false);
        }
        catch
        {
            await client.DisposeAsync().ConfigureAwait(false);
            throw;
        }

        client.SetState(ConnectionState.Live);
        client._loop = client.RunAsync();
        return client;
    }

    /// <summary>Streams the answer to <paramref name="content"/> from the socket's agent.</summary>
    public IAsyncEnumerable<TurnFrame> StreamAsync(string content, CancellationToken cancellationToken = default) =>
        RequestAsync(new MessageRequest(content), cancellationToken);

    /// <summary>Answers an <see cref="ApprovalRequestFrame"/> and streams the turn that follows.</summary>
    public IAsyncEnumerable<TurnFrame> ApproveAsync(string toolCallId, bool approve, string? reason = null, string? agentId = null, CancellationToken cancellationToken = default) =>
        RequestAsync(new ApproveRequest(toolCallId, approve) { Reason = reason, AgentId = agentId }, cancellationToken);

    /// <summary>Re-attaches a resumable run (a <see cref="ShutdownFrame"/> cursor, or one kept from an earlier socket).</summary>
    public IAsyncEnumerable<TurnFrame> ResumeAsync(TurnCursor cursor, CancellationToken cancellationToken = default) =>
        RequestAsync(new ResumeRequest(cursor), cancellationToken);

    /// <summary>
    /// Sends <paramref name="request"/> when the enumeration starts and yields every frame of its id, the
    /// terminal <see cref="DoneFrame"/> or <see cref="ErrorFrame"/> last. Cancelling the token sends
    /// <c>cancel</c> and the enumeration ends with the server's <c>done</c> (<c>cancelled</c>); leaving it
    /// early cancels the turn too. A resumable turn whose socket drops is resumed on the next one, its
    /// frames neither lost nor repeated; any other ends with <see cref="ClientErrorCodes.ConnectionLost"/>.
    /// </summary>
    public async IAsyncEnumerable<TurnFrame> RequestAsync(TurnRequest request, [EnumeratorCancellation] CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(request);
        ObjectDisposedException.ThrowIf(_closing != 0, this);
        if (cancellationToken.IsCancellationRequested)
        {
            yield return new DoneFrame { Id = request.Id, AgentId = request.AgentId, StopReason = "cancelled", CancelledBy = "client", IsClientSide = true };
            yield break;
        }

        ClientTurn turn = await StartAsync(request).ConfigureAwait(false);
        CancellationTokenRegistration registration = cancellationToken.UnsafeRegister(static state => ((ClientTurn)state!).SignalConsumerCancel(), turn);
        try
        {
            while (await turn.NextAsync(this, _options.TimeProvider, _options.CancelTimeout).ConfigureAwait(false) is { } frame)
            {
                yield return frame;
                if (frame.IsTerminal)
                {
                    yield break;
                }
            }
        }
        finally
        {
            await registration.DisposeAsync().ConfigureAwait(false);
            if (turn.IsActive)
            {
                // The caller stopped reading: nobody wants the rest.
                await CancelAsync(turn).ConfigureAwait(false);
            }

            _turns.TryRemove(new KeyValuePair<string, ClientTurn>(turn.Id, turn));
            turn.Dispose();
        }
    }

    /// <summary>Sends <c>ping</c> and returns the round trip.</summary>
    public async Task<TimeSpan> PingAsync(CancellationToken cancellationToken = default)
    {
        string id = $"ping-{Interlocked.Increment(ref _ids)}";
        var pong = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        _pings[id] = pong;
        try
        {
            long started = _options.TimeProvider.GetTimestamp();
            if (!await SendAsync(WriteFrame("ping", id, agentId: null, fields: null)).ConfigureAwait(false))
            {
                throw new LettaSocketsException("Not connected to the gateway.");
            }

            await pong.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
            return _options.TimeProvider.GetElapsedTime(started);
        }
        finally
        {
            _pings.TryRemove(id, out _);
        }
    }

    /// <summary>Completes when the client is live (at once if it is).</summary>
    public Task WaitUntilLiveAsync(CancellationToken cancellationToken = default)
    {
        lock (_stateGate)
        {
            return _live.Task.WaitAsync(cancellationToken);
        }
    }

    /// <summary>Closes the socket (1000) and ends every running turn with <see cref="ClientErrorCodes.Closed"/>.</summary>
    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _closing, 1) != 0)
        {
            return;
        }

        if (_socket is { State: WebSocketState.Open } socket)
        {
            using var bound = new CancellationTokenSource(s_closeTimeout);
            try
            {
                await _sendLock.WaitAsync(bound.Token).ConfigureAwait(false);
                try
                {
                    await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "bye", bound.Token).ConfigureAwait(false);
                }
                finally
                {
                    _sendLock.Release();
                }

                // The receive loop ends when the server answers the close.
                await _loop.WaitAsync(s_closeTimeout).ConfigureAwait(false);
            }
            catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or TimeoutException)
            {
                Log.CloseFailed(_logger, ex);
            }
        }

        await _stopping.CancelAsync().ConfigureAwait(false);
        _socket?.Abort();
        await _loop.ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        foreach (ClientTurn turn in _turns.Values)
        {
            turn.Fail(ClientErrorCodes.Closed, "The client was closed.", retryable: false);
        }

        foreach (TaskCompletionSource ping in _pings.Values)
        {
            ping.TrySetException(new ObjectDisposedException(nameof(LettaSocketsClient)));
        }

        SetState(ConnectionState.Closed);
        _socket?.Dispose();
        _stopping.Dispose();
        ArrayPool<byte>.Shared.Return(_buffer);
    }

    /// <summary>Sends <c>cancel</c> for <paramref name="turn"/> now, or marks it for after its re-attach.</summary>
    internal async ValueTask CancelAsync(ClientTurn turn)
    {
        if (turn.RequestCancel())
        {
            await SendAsync(WriteFrame("cancel", turn.Id, agentId: null, fields: null)).ConfigureAwait(false);
        }
    }

    private async ValueTask<ClientTurn> StartAsync(TurnRequest request)
    {
        if (request is MessageRequest { Resumable: null } message)
        {
            bool? resumable = _options.Resumable switch
            {
                ResumableMode.WhenOffered => Ready.Resumable ? true : null,
                ResumableMode.Always => true,
                ResumableMode.Never => false,
                _ => null,
            };
            request = message with { Resumable = resumable };
        }

        string id = request.Id ?? $"{_idPrefix}-{Interlocked.Increment(ref _ids)}";
        var turn = new ClientTurn(request, id, request.AgentId ?? Ready.AgentId);
        if (!_turns.TryAdd(id, turn))
        {
            throw new InvalidOperationException($"A turn with id {id} is still running on this client.");
        }

        if (request is ResumeRequest)
        {
            // A resume waits for a live socket: interrupted until then, re-attached like any cut-off turn.
            turn.Interrupt();
            if (State == ConnectionState.Live)
            {
                await ReattachAsync(turn).ConfigureAwait(false);
            }
        }
        else if (!await SendAsync(WriteFrame(request.Type, id, request.AgentId, request.WriteFields)).ConfigureAwait(false))
        {
            turn.Fail(ClientErrorCodes.NotConnected, "Not connected to the gateway.", retryable: true);
        }

        return turn;
    }

    /// <summary>Sends the <c>resume</c> that re-attaches an interrupted turn (and its pending cancel).</summary>
    private async ValueTask ReattachAsync(ClientTurn turn)
    {
        if (turn.BeginResume() is not { } cursor)
        {
            return;
        }

        Log.Resuming(_logger, cursor.Id, cursor.RunId, cursor.AfterSeq);
        var resume = new ResumeRequest(cursor);
        if (await SendAsync(WriteFrame(resume.Type, cursor.Id, cursor.AgentId, resume.WriteFields)).ConfigureAwait(false) && turn.CancelRequested)
        {
            await SendAsync(WriteFrame("cancel", turn.Id, agentId: null, fields: null)).ConfigureAwait(false);
        }
    }

    /// <summary>One client frame as UTF-8: <c>type</c>, <c>id</c>, <c>agent_id</c>, then the request's own fields.</summary>
    private static ReadOnlyMemory<byte> WriteFrame(string type, string id, string? agentId, Action<Utf8JsonWriter>? fields)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            writer.WriteString("type", type);
            writer.WriteString("id", id);
            if (agentId is not null)
            {
                writer.WriteString("agent_id", agentId);
            }

            fields?.Invoke(writer);
            writer.WriteEndObject();
        }

        return buffer.WrittenMemory;
    }

    /// <summary>Sends one frame on the live socket; false when there is none. Sends are rare (requests, cancels, pings): one lock serializes them.</summary>
    private async ValueTask<bool> SendAsync(ReadOnlyMemory<byte> frame)
    {
        try
        {
            await _sendLock.WaitAsync(_stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            return false;
        }

        try
        {
            if (_socket is not { State: WebSocketState.Open } socket || State != ConnectionState.Live)
            {
                return false;
            }

            await socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, _stopping.Token).ConfigureAwait(false);
            return true;
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            Log.SendFailed(_logger, ex);
            return false;
        }
        finally
        {
            _sendLock.Release();
        }
    }

    private void SetState(ConnectionState state)
    {
        lock (_stateGate)
        {
            if (State == state && state != ConnectionState.Live)
            {
                return;
            }

            State = state;
            if (state == ConnectionState.Live)
            {
                _live.TrySetResult();
            }
            else if (_live.Task.IsCompleted)
            {
                _live = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            }

            if (state == ConnectionState.Closed)
            {
                _live.TrySetException(new ObjectDisposedException(nameof(LettaSocketsClient)));
            }
        }

        try
        {
            StateChanged?.Invoke(this, state);
        }
        catch (Exception ex)
        {
            // A handler's failure must not end the receive loop.
            Log.HandlerFailed(_logger, ex);
        }
    }

    /// <summary>ws(s)://host/ws[/{agentId}] from a gateway address; a path that already ends in /ws or /ws/{agent} is kept.</summary>
    internal static Uri SocketUri(Uri uri, string? agentId)
    {
        var builder = new UriBuilder(uri)
        {
            Scheme = uri.Scheme switch { "http" => "ws", "https" => "wss", _ => uri.Scheme },
            Port = uri.IsDefaultPort ? -1 : uri.Port,
        };
        string path = builder.Path.TrimEnd('/');
        string[] segments = path.Split('/');
        bool hasSocketPath = segments.Length >= 2 && (segments[^1] == "ws" || segments[^2] == "ws");
        if (!hasSocketPath)
        {
            builder.Path = path + (agentId is null ? "/ws" : $"/ws/{Uri.EscapeDataString(agentId)}");
        }

        return builder.Uri;
    }
}
