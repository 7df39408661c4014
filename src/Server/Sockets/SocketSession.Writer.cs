using System.Net.WebSockets;
using System.Threading.Channels;
using LettaSockets.Protocol.Chunks;
using LettaSockets.Protocol.Frames;
using LettaSockets.Protocol.Serialization;
using LettaSockets.Server.Observability;
using LettaSockets.Server.Turns;
using Microsoft.Extensions.ObjectPool;

namespace LettaSockets.Server.Sockets;

public sealed partial class SocketSession
{
    /// <summary>
    /// The only sender. Drops content frames of cancelled turns (docs/PROTOCOL.md, rule 3), and when frames are
    /// already queued behind the current one, merges consecutive deltas of the same message into one
    /// frame — adaptive: a client that keeps up gets every delta at once, a slow one fewer, larger
    /// frames (docs/PROTOCOL.md, "Slow readers"). Never waits to merge. The connection's <c>ready</c> goes out
    /// before anything queued.
    /// </summary>
    private async Task WriteLoopAsync(ReadyInfo? ready)
    {
        ChannelReader<StreamChunk> reader = _turns.Frames;
        CancellationToken token = _turns.Aborted;
        FrameSerializer? serializer = null; // borrowed while there is something to send, so an idle connection holds none
        long sent = 0; // reported to the meter in batches, when the writer goes idle
        try
        {
            serializer = Serializers.Get();
            sent += await SendChunkAsync(reader, serializer, StreamChunk.ReadyFrame(ready!), token).ConfigureAwait(false);
            ready = null; // the loop outlives it: let it go
            ReturnSerializer(ref serializer);
            while (await reader.WaitToReadAsync(token).ConfigureAwait(false))
            {
                while (reader.TryRead(out StreamChunk chunk))
                {
                    if (TurnHost.IsStale(chunk))
                    {
                        continue;
                    }

                    serializer ??= Serializers.Get();
                    sent += await SendChunkAsync(reader, serializer, chunk, token).ConfigureAwait(false);
                    _turns.Settle(); // the frame (and every delta merged into it) has left the gateway

                    if (Volatile.Read(ref _closeReason) == (int)CloseReason.SlowConsumer)
                    {
                        await CloseFromServerAsync().ConfigureAwait(false);
                        return;
                    }
                }

                // Idle: give the serializer and its frame buffer back (and count no skipped stale chunk).
                _turns.Settle();
                ReturnSerializer(ref serializer);
                Metrics?.FramesSent(sent, LettaSocketsMetrics.WebSocketTransport);
                sent = 0;
            }

            await CloseFromServerAsync().ConfigureAwait(false);
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException or ObjectDisposedException)
        {
            Log.WriteEnded(_logger, _context.ConnectionId, e.GetType().Name);
        }
        finally
        {
            ReturnSerializer(ref serializer);
            Metrics?.FramesSent(sent, LettaSocketsMetrics.WebSocketTransport);
        }
    }

    /// <summary>Frame serializers shared by the writers of all connections: one is borrowed per burst of frames.</summary>
    private static readonly ObjectPool<FrameSerializer> Serializers = new DefaultObjectPool<FrameSerializer>(new SerializerPolicy(), maximumRetained: 256);

    private static void ReturnSerializer(ref FrameSerializer? serializer)
    {
        if (serializer is not null)
        {
            Serializers.Return(serializer);
            serializer = null;
        }
    }

    private sealed class SerializerPolicy : IPooledObjectPolicy<FrameSerializer>
    {
        public FrameSerializer Create() => new();

        public bool Return(FrameSerializer serializer)
        {
            serializer.ReleaseBuffer(); // the frame buffer goes back to the byte pool; only the writer object is kept
            return true;
        }
    }

    /// <summary>Text merged into one frame at most: small enough for clients with modest frame
    /// buffers, large enough that a backlog of token deltas collapses 64 to 1.</summary>
    private const int MaxMergedChars = DeltaBatch.MaxChars;

    /// <summary>Sends one chunk as one frame — a delta merged with the deltas queued behind it, a <c>done</c>
    /// with the turn's metrics, a <c>shutdown</c> with its cursors — or an oversized delta as several.
    /// Returns the frames sent.</summary>
    private async ValueTask<int> SendChunkAsync(ChannelReader<StreamChunk> reader, FrameSerializer serializer, StreamChunk chunk, CancellationToken token)
    {
        if (chunk.Kind.IsDelta() && chunk.Content?.Length > MaxMergedChars)
        {
            // One delta larger than a merged frame goes out in pieces of that size: the frame being sent
            // (and its copies in the socket and Kestrel's pipe) stays small.
            return await SendInPiecesAsync(serializer, chunk, token).ConfigureAwait(false);
        }

        long seq = chunk.Seq;
        ReadOnlyMemory<byte> frame = chunk.Kind.IsDelta()
            ? Merge(reader, serializer, chunk, ref seq)
            : serializer.Write(chunk.Kind switch
            {
                ChunkKind.Shutdown => ResolveShutdown(chunk),
                ChunkKind.Done => TurnState.WithMetrics(chunk),
                _ => chunk,
            });
        await SendAsync(frame, token).ConfigureAwait(false);
        if (TurnState.Of(chunk) is { } turn)
        {
            turn.Frames++;
            if (seq >= 0)
            {
                turn.SentSeq = seq;
            }
        }

        return 1;
    }

    /// <summary>Sends one oversized delta as frames of at most <see cref="MaxMergedChars"/> characters,
    /// never cutting a surrogate pair; only the last carries its seq. Returns the frames sent.</summary>
    private async ValueTask<int> SendInPiecesAsync(FrameSerializer serializer, StreamChunk chunk, CancellationToken token)
    {
        string text = chunk.Content!;
        TurnState? turn = TurnState.Of(chunk);
        int frames = 0;
        for (int start = 0; start < text.Length;)
        {
            int length = PieceLength(text, start, MaxMergedChars);
            serializer.BeginDelta(chunk, start, length);
            await SendAsync(serializer.EndDelta(), token).ConfigureAwait(false);
            start += length;
            frames++;
            if (turn is not null)
            {
                turn.Frames++;
                if (start == text.Length && chunk.Seq >= 0)
                {
                    turn.SentSeq = chunk.Seq;
                }
            }
        }

        return frames;
    }

    /// <summary>How many characters of <paramref name="text"/> from <paramref name="start"/> the next piece
    /// takes: at most <paramref name="max"/>, one less when the cut would fall inside a surrogate pair.</summary>
    internal static int PieceLength(string text, int start, int max)
    {
        int length = Math.Min(max, text.Length - start);
        return start + length < text.Length && length > 1 && char.IsHighSurrogate(text[start + length - 1]) ? length - 1 : length;
    }

    private ReadOnlyMemory<byte> Merge(ChannelReader<StreamChunk> reader, FrameSerializer serializer, in StreamChunk first, ref long lastSeq)
    {
        serializer.BeginDelta(first);
        int merged = 1;
        int chars = first.Content?.Length ?? 0;

        // Merging saves frames, never makes one huge: stop at MaxMergedChars of text (one delta that
        // is larger on its own is still sent whole).
        while (merged < _options.MaxMergedChunks && reader.TryPeek(out StreamChunk next) && first.CanMergeWith(next)
            && chars + (next.Content?.Length ?? 0) <= MaxMergedChars && reader.TryRead(out next))
        {
            chars += next.Content?.Length ?? 0;
            serializer.AppendDelta(next);
            lastSeq = next.Seq >= 0 ? next.Seq : lastSeq;
            merged++;
        }

        return serializer.EndDelta();
    }

    /// <summary>Sends one frame under the stall watchdog: a send that does not complete within
    /// <see cref="SocketOptions.StallTimeout"/> marks the client a slow consumer.</summary>
    private async ValueTask SendAsync(ReadOnlyMemory<byte> frame, CancellationToken token)
    {
        ValueTask send = _socket.SendAsync(frame, WebSocketMessageType.Text, endOfMessage: true, token);
        if (send.IsCompletedSuccessfully)
        {
            // The socket took the frame at once, so it cannot have stalled: skip the watchdog. Arming
            // a timer takes the runtime's timer-queue lock, twice per frame (docs/BENCHMARKS.md).
            send.GetAwaiter().GetResult();
            return;
        }

        ITimer stallTimer = _stallTimer ?? CreateStallTimer();
        stallTimer.Change(_options.StallTimeout, Timeout.InfiniteTimeSpan);
        try
        {
            await send.ConfigureAwait(false);
        }
        finally
        {
            stallTimer.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        }
    }

    /// <summary>The watchdog's timer, made when a send first has to wait: an idle connection, or one whose
    /// client keeps up, never holds one. Writer only.</summary>
    private ITimer CreateStallTimer()
    {
        ITimer timer = _time.CreateTimer(static s => ((SocketSession)s!).OnStall(), this, Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        Volatile.Write(ref _stallTimer, timer);
        return timer;
    }

    /// <summary>
    /// The client has not taken a frame for the stall timeout. Its runs are cancelled upstream at once
    /// (memory stays bounded: pumps stop producing); the pending send gets one close timeout more to
    /// complete — then the writer ends and the socket is closed with 1008 <c>slow_consumer</c> — or
    /// the socket is aborted.
    /// </summary>
    private void OnStall() => CloseAsSlowConsumer(shed: false);

    private void CloseAsSlowConsumer(bool shed)
    {
        if (Interlocked.CompareExchange(ref _closeReason, (int)CloseReason.SlowConsumer, -1) != -1)
        {
            return;
        }

        if (shed)
        {
            Log.Shed(_logger, _context.ConnectionId, _turns.QueuedBytes);
        }
        else
        {
            Log.SlowConsumer(_logger, _context.ConnectionId, _options.StallTimeout.TotalSeconds);
        }

        _turns.EndAll(Protocol.Frames.CancelledBy.SlowConsumer);
        Volatile.Read(ref _stallTimer)?.Change(Timeout.InfiniteTimeSpan, Timeout.InfiniteTimeSpan);
        _ = AbortAfterAsync(_options.CloseTimeout);
    }

    private async Task AbortAfterAsync(TimeSpan grace)
    {
        try
        {
            await Task.Delay(grace, _time, _turns.Aborted).ConfigureAwait(false);
            _socket.Abort();
        }
        catch (OperationCanceledException)
        {
        }
    }
}
