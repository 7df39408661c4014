using System.Buffers;
using System.Net.WebSockets;
using System.Runtime.CompilerServices;
using LettaSockets.Client.Internal;
using LettaSockets.Protocol;

namespace LettaSockets.Client;

/// <summary>The socket's one receive loop: frames to their turns, then on a loss the backoff, the next socket and the re-attaches.</summary>
public sealed partial class LettaSocketsClient
{
    private async Task RunAsync()
    {
        CancellationToken stopping = _stopping.Token;
        while (true)
        {
            ClientWebSocket socket = _socket!;
            await ReceiveLoopAsync(socket, stopping).ConfigureAwait(false);
            Log.Lost(_logger, socket.CloseStatus is { } status ? (int)status : null, socket.CloseStatusDescription);
            OnLost();
            if (_closing != 0 || stopping.IsCancellationRequested)
            {
                return;
            }

            if (!_options.Reconnect)
            {
                SetState(ConnectionState.Closed);
                foreach (ClientTurn turn in _turns.Values)
                {
                    turn.Fail(ClientErrorCodes.Closed, "The connection dropped and the client does not reconnect.", retryable: false);
                }

                return;
            }

            SetState(ConnectionState.Reconnecting);
            if (!await ReconnectAsync(stopping).ConfigureAwait(false))
            {
                return;
            }

            socket.Dispose();
            SetState(ConnectionState.Live);
            // A new socket: every turn the old one cut off continues where it stopped.
            foreach (ClientTurn turn in _turns.Values)
            {
                await ReattachAsync(turn).ConfigureAwait(false);
            }
        }
    }

    private async Task<bool> ReconnectAsync(CancellationToken stopping)
    {
        for (int attempt = 0; ; attempt++)
        {
            // "Equal jitter": half the capped exponential delay is fixed, the other half random, so
            // clients of a restarting server do not all come back at the same instant.
            double ceiling = Math.Min(_options.ReconnectMaxDelay.TotalMilliseconds, _options.ReconnectBaseDelay.TotalMilliseconds * Math.Pow(2, Math.Min(attempt, 30)));
            var delay = TimeSpan.FromMilliseconds((ceiling / 2) + (Random.Shared.NextDouble() * ceiling / 2));
            Log.Reconnecting(_logger, attempt + 1, delay);
            try
            {
                await Task.Delay(delay, _options.TimeProvider, stopping).ConfigureAwait(false);
                (ClientWebSocket socket, ReadyFrame ready) = await OpenAsync(stopping).ConfigureAwait(false);
                _socket = socket;
                Ready = ready;
                return true;
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested || _closing != 0)
            {
                return false;
            }
            catch (Exception ex) when (ex is WebSocketException or LettaSocketsException or OperationCanceledException or HttpRequestException)
            {
                Log.ConnectFailed(_logger, ex);
            }
        }
    }

    /// <summary>Opens a socket and reads its <c>ready</c> frame.</summary>
    private async Task<(ClientWebSocket Socket, ReadyFrame Ready)> OpenAsync(CancellationToken cancellationToken)
    {
        var socket = new ClientWebSocket();
        socket.Options.AddSubProtocol(ProtocolInfo.SubProtocol);
        socket.Options.KeepAliveInterval = _options.KeepAliveInterval;
        socket.Options.KeepAliveTimeout = _options.KeepAliveTimeout;
        if (_options.Key is { Length: > 0 } key)
        {
            socket.Options.SetRequestHeader("Authorization", $"Bearer {key}");
        }

        _options.ConfigureWebSocket?.Invoke(socket.Options);
        using var bound = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, _stopping.Token);
        bound.CancelAfter(_options.ConnectTimeout);
        try
        {
            await socket.ConnectAsync(_uri, bound.Token).ConfigureAwait(false);
            int length = await ReceiveMessageAsync(socket, bound.Token).ConfigureAwait(false);
            if (length < 0 || _reader.Read(_buffer.AsSpan(0, length)) is not ReadyFrame ready)
            {
                throw new LettaSocketsException($"{_uri.GetLeftPart(UriPartial.Authority)} did not start with a ready frame.");
            }

            Log.Connected(_logger, ready.ConnectionId, ready.AgentId, ready.Resumable);
            return (socket, ready);
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    private async Task ReceiveLoopAsync(ClientWebSocket socket, CancellationToken stopping)
    {
        try
        {
            while (true)
            {
                int length = await ReceiveMessageAsync(socket, stopping).ConfigureAwait(false);
                if (length < 0)
                {
                    await AnswerCloseAsync(socket).ConfigureAwait(false);
                    return;
                }

                Dispatch(_buffer.AsSpan(0, length));
            }
        }
        catch (Exception ex) when (ex is WebSocketException or OperationCanceledException or ObjectDisposedException)
        {
            if (!stopping.IsCancellationRequested)
            {
                Log.ReceiveFailed(_logger, ex);
            }
        }
    }

    /// <summary>Completes the close handshake the server started (a restart's 1012, say), bounded.</summary>
    private async Task AnswerCloseAsync(ClientWebSocket socket)
    {
        if (socket.State != WebSocketState.CloseReceived)
        {
            return;
        }

        using var bound = new CancellationTokenSource(s_closeTimeout);
        await _sendLock.WaitAsync(bound.Token).ConfigureAwait(false);
        try
        {
            await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, null, bound.Token).ConfigureAwait(false);
        }
        finally
        {
            _sendLock.Release();
        }
    }

    /// <summary>Reads one whole text message into <see cref="_buffer"/> (grown as needed); -1 when the socket closed.
    /// Binary messages and text over <see cref="LettaSocketsClientOptions.MaxReceiveBytes"/> are skipped.</summary>
    [AsyncMethodBuilder(typeof(PoolingAsyncValueTaskMethodBuilder<>))]
    private async ValueTask<int> ReceiveMessageAsync(WebSocket socket, CancellationToken cancellationToken)
    {
        int count = 0;
        bool skip = false;
        while (true)
        {
            if (count == _buffer.Length)
            {
                if (_buffer.Length >= _options.MaxReceiveBytes)
                {
                    skip = true;
                    count = 0;
                }
                else
                {
                    byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Min(_buffer.Length * 2, Math.Max(_options.MaxReceiveBytes, _buffer.Length)));
                    _buffer.AsSpan().CopyTo(larger);
                    ArrayPool<byte>.Shared.Return(_buffer);
                    _buffer = larger;
                }
            }

            ValueWebSocketReceiveResult result = await socket.ReceiveAsync(_buffer.AsMemory(count), cancellationToken).ConfigureAwait(false);
            if (result.MessageType == WebSocketMessageType.Close)
            {
                return -1;
            }

            skip |= result.MessageType == WebSocketMessageType.Binary;
            count += result.Count;
            if (!result.EndOfMessage)
            {
                continue;
            }

            if (!skip)
            {
                return count;
            }

            Log.FrameIgnored(_logger, "binary or too large");
            skip = false;
            count = 0;
        }
    }

    /// <summary>One server frame: to its turn, or to the client (pong, shutdown); anything unusable is ignored.</summary>
    private void Dispatch(ReadOnlySpan<byte> utf8)
    {
        switch (_reader.Read(utf8))
        {
            case TurnFrame { Id: { } id } frame when _turns.TryGetValue(id, out ClientTurn? turn):
                if (turn.Receive(frame))
                {
                    _turns.TryRemove(new KeyValuePair<string, ClientTurn>(id, turn));
                }

                break;
            case PongFrame { Id: { } id }:
                if (_pings.TryGetValue(id, out TaskCompletionSource? pong))
                {
                    pong.TrySetResult();
                }

                break;
            case ShutdownFrame shutdown:
                Log.Shutdown(_logger, shutdown.Reason, shutdown.Resume.Count);
                foreach (TurnCursor cursor in shutdown.Resume)
                {
                    if (_turns.TryGetValue(cursor.Id, out ClientTurn? cut))
                    {
                        cut.RememberCursor(cursor);
                    }
                }

                break;
            case ErrorFrame error:
                Log.ServerError(_logger, error.Code, error.Message, error.Id);
                break;
            case null:
                Log.FrameIgnored(_logger, "not a frame");
                break;
            default:
                break; // a frame of a turn that has ended, or one this client has no use for
        }
    }

    /// <summary>The socket is gone: resumable turns wait for the next one, the rest end now.</summary>
    private void OnLost()
    {
        foreach (ClientTurn turn in _turns.Values)
        {
            if (!turn.Lost())
            {
                _turns.TryRemove(new KeyValuePair<string, ClientTurn>(turn.Id, turn));
            }
        }

        foreach (TaskCompletionSource ping in _pings.Values)
        {
            ping.TrySetException(new LettaSocketsException("The connection dropped before the pong."));
        }
    }
}
