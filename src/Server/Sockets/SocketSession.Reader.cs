using System.Buffers;
using System.Net.WebSockets;
using LettaSockets.Protocol.Chunks;
using LettaSockets.Protocol.Frames;
using LettaSockets.Protocol.Parsing;

namespace LettaSockets.Server.Sockets;

public sealed partial class SocketSession
{
    private const int InitialReceiveBuffer = 4 * 1024;

    /// <summary>
    /// Reads client frames until the client closes or the connection fails. Waits for each message
    /// with a zero-byte read, so an idle connection holds no receive buffer; a message larger than
    /// <see cref="SocketOptions.MaxFrameBytes"/> is drained in place, never buffered whole.
    /// </summary>
    private async Task ReadLoopAsync()
    {
        CancellationToken token = _turns.Aborted;
        try
        {
            while (true)
            {
                ValueWebSocketReceiveResult peek = await _socket.ReceiveAsync(Memory<byte>.Empty, token).ConfigureAwait(false);
                if (peek.MessageType == WebSocketMessageType.Close)
                {
                    return;
                }

                if (!await ReceiveMessageAsync(peek, token).ConfigureAwait(false))
                {
                    return;
                }
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException or System.Threading.Channels.ChannelClosedException)
        {
            // ChannelClosedException: the server is closing (drain, slow consumer) and takes no more frames.
            _closedByWebSocketLayer = e is WebSocketException { WebSocketErrorCode: WebSocketError.Faulted };
            Log.ReadEnded(_logger, _context.ConnectionId, e.GetType().Name);
        }
    }

    /// <summary>Receives one whole message and handles it; false when the client sent a close. Runs in the
    /// connection's log scope, which what it starts (turns, follows) inherits; the scope ends with the
    /// message, so a connection waiting for its next one holds none.</summary>
    private async Task<bool> ReceiveMessageAsync(ValueWebSocketReceiveResult first, CancellationToken token)
    {
        using IDisposable? scope = LogScope();
        byte[] buffer = ArrayPool<byte>.Shared.Rent(InitialReceiveBuffer);
        try
        {
            int count = 0;
            long total = 0;
            bool endOfMessage = first.EndOfMessage && first.Count == 0 && first.MessageType == WebSocketMessageType.Text;
            WebSocketMessageType type = first.MessageType;
            while (!endOfMessage)
            {
                if (count == buffer.Length)
                {
                    buffer = Grow(buffer, count);
                }

                ValueWebSocketReceiveResult result = await _socket.ReceiveAsync(buffer.AsMemory(count), token).ConfigureAwait(false);
                if (result.MessageType == WebSocketMessageType.Close)
                {
                    return false;
                }

                type = result.MessageType;
                endOfMessage = result.EndOfMessage;
                total += result.Count;
                count += result.Count;
                if (total > _options.MaxFrameBytes || type == WebSocketMessageType.Binary)
                {
                    count = 0; // drain: keep reading into the start of the buffer, keep nothing
                }
            }

            if (type == WebSocketMessageType.Binary)
            {
                await RejectAsync(ErrorCodes.UnsupportedFrame, "Binary frames are not supported: send JSON (or plain text) in text frames.").ConfigureAwait(false);
            }
            else if (total > _options.MaxFrameBytes)
            {
                await RejectAsync(ErrorCodes.FrameTooLarge, $"The frame has {total} bytes; the limit is {_options.MaxFrameBytes}.").ConfigureAwait(false);
            }
            else
            {
                await HandleFrameAsync(ClientFrameParser.Parse(buffer.AsSpan(0, count))).ConfigureAwait(false);
            }

            return true;
        }
        finally
        {
            ArrayPool<byte>.Shared.Return(buffer);
        }
    }

    private byte[] Grow(byte[] buffer, int count)
    {
        int size = Math.Min(buffer.Length * 2, _options.MaxFrameBytes + 1);
        if (size <= buffer.Length)
        {
            return buffer;
        }

        byte[] next = ArrayPool<byte>.Shared.Rent(size);
        buffer.AsSpan(0, count).CopyTo(next);
        ArrayPool<byte>.Shared.Return(buffer);
        return next;
    }

    /// <summary>Queues an error frame; waits for room like any producer, so a flood of bad frames
    /// slows only the client sending them.</summary>
    private ValueTask RejectAsync(string code, string message, string? id = null, string? agentId = null, string? detail = null, long? retryAfterMs = null, bool retryable = false) =>
        _turns.Output.WriteAsync(
            StreamChunk.Failure(null, new ErrorInfo(code, message, retryable) { Id = id, AgentId = agentId, Detail = detail, RetryAfterMs = retryAfterMs }),
            _turns.Aborted);
}
