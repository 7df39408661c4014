using System.Diagnostics;
using System.Net.WebSockets;
using System.Threading.Channels;
using LettaSockets.Protocol.Chunks;
using LettaSockets.Protocol.Frames;
using LettaSockets.Server.Turns;

namespace LettaSockets.Server.Sockets;

public sealed partial class SocketSession
{
    /// <summary>1012 "service restart": the client has cursors to resume elsewhere (RFC 6455 registry).</summary>
    private const WebSocketCloseStatus ServiceRestart = (WebSocketCloseStatus)1012;

    /// <summary><c>shutdown.reason</c>.</summary>
    private const string ShutdownReason = "server_shutdown";

    private readonly Lock _shutdownGate = new();
    private Task _drain = Task.CompletedTask;
    private List<Turn>? _handedOver; // set by the shutdown drain
    private int _draining;
    private bool _runEnded;
    private bool _closedByWebSocketLayer;

    /// <summary>True once <see cref="BeginShutdown"/> was called: new turns get <c>shutting_down</c>.</summary>
    public bool IsDraining => Volatile.Read(ref _draining) != 0;

    /// <summary>1012 when resumable turns were handed over in the <c>shutdown</c> frame, else 1001.</summary>
    private WebSocketCloseStatus ShutdownStatus => Volatile.Read(ref _handedOver) is { Count: > 0 } ? ServiceRestart : WebSocketCloseStatus.EndpointUnavailable;

    /// <summary>
    /// Starts the graceful close (docs/PROTOCOL.md, <c>shutdown</c>): resumable turns are detached at once
    /// and their cursors sent in a <c>shutdown</c> frame; the other turns may finish for up to
    /// <paramref name="drainTimeout"/>, then are cancelled (in Letta too, <c>cancelled_by: shutdown</c>);
    /// then the socket closes with 1012 (cursors handed over) or 1001. Idempotent; returns at once.
    /// </summary>
    public void BeginShutdown(TimeSpan drainTimeout)
    {
        lock (_shutdownGate)
        {
            if (_runEnded || Interlocked.Exchange(ref _draining, 1) != 0)
            {
                return;
            }

            _drain = DrainAsync(drainTimeout, _turns.Aborted);
        }
    }

    private async Task DrainAsync(TimeSpan drainTimeout, CancellationToken token)
    {
        try
        {
            List<Turn> handedOver = _turns.HandOverResumable();
            Volatile.Write(ref _handedOver, handedOver);
            Log.Draining(_logger, _context.ConnectionId, handedOver.Count, _turns.ActiveTurns);

            // The writer fills in the cursors when it reaches this frame (see ResolveShutdown).
            await _turns.Output.WriteAsync(StreamChunk.ShutdownFrame(new ShutdownInfo(ShutdownReason, [])), token).ConfigureAwait(false);
            int ended = await _turns.DrainAsync(drainTimeout, _time, token).ConfigureAwait(false);
            if (ended > 0)
            {
                Log.DrainTimedOut(_logger, _context.ConnectionId, ended);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
        {
            // The connection ended during the drain; its teardown cancels what is left.
        }
        finally
        {
            // The writer sends what is queued, then the close frame (CloseFromServerAsync).
            Interlocked.CompareExchange(ref _closeReason, (int)CloseReason.Shutdown, -1);
            _turns.Complete();
        }
    }

    /// <summary>The <c>shutdown</c> frame as the writer sends it: each handed-over turn's cursor is the
    /// last <c>seq</c> the client actually received, so a resume loses and repeats nothing.</summary>
    private StreamChunk ResolveShutdown(in StreamChunk queued)
    {
        if (Volatile.Read(ref _handedOver) is not { Count: > 0 } handedOver)
        {
            return queued;
        }

        ResumeCursor[] cursors = [.. handedOver.Select(t => new ResumeCursor(t.Info.Id, t.Info.RunId!, Math.Max(0, t.Info.SentSeq)))];
        return StreamChunk.ShutdownFrame(new ShutdownInfo(ShutdownReason, cursors));
    }

    /// <summary>Called by the writer when it stops: when the server decided to close (slow consumer,
    /// shutdown), the close frame goes out after the last queued frame, from the only sender.</summary>
    private async Task CloseFromServerAsync()
    {
        (WebSocketCloseStatus status, string description) = (CloseReason)Volatile.Read(ref _closeReason) switch
        {
            CloseReason.SlowConsumer => (WebSocketCloseStatus.PolicyViolation, "slow_consumer"),
            CloseReason.Shutdown => (ShutdownStatus, "shutdown"),
            _ => (default, ""),
        };
        if (description.Length == 0 || _socket.State is not (WebSocketState.Open or WebSocketState.CloseReceived))
        {
            return;
        }

        using var timeout = new CancellationTokenSource(_options.CloseTimeout, _time);
        await _socket.CloseOutputAsync(status, description, timeout.Token).ConfigureAwait(false);
    }

    /// <summary>
    /// When the WebSocket layer failed a frame itself (invalid UTF-8, a protocol violation), it has sent
    /// its own close (1007, 1002) and aborted the socket; disposing the socket at once can still discard
    /// that close frame on its way out. A short, bounded linger lets it leave first.
    /// </summary>
    private Task LingerAfterLayerCloseAsync() =>
        _closedByWebSocketLayer
            ? Task.Delay(TimeSpan.FromMilliseconds(Math.Min(250, _options.CloseTimeout.TotalMilliseconds)), _time)
            : Task.CompletedTask;

    /// <summary>After the writer sent a close frame, gives the client up to the close timeout to answer
    /// it, so the close handshake completes instead of the socket being aborted under it.</summary>
    private Task AwaitCloseReplyAsync(Task reading) =>
        _socket.State == WebSocketState.CloseSent ? WaitQuietlyAsync(reading, _options.CloseTimeout) : Task.CompletedTask;

    /// <summary>At the end of <see cref="RunAsync"/>: no drain may start any more; waits for one in progress.</summary>
    private Task EndShutdownAsync()
    {
        lock (_shutdownGate)
        {
            _runEnded = true;
        }

        return WaitQuietlyAsync(_drain, _options.CloseTimeout);
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1101, Level = LogLevel.Debug, Message = "Connection {ConnectionId} draining: {HandedOver} resumable turn(s) handed over, {Active} still running")]
        public static partial void Draining(ILogger logger, string connectionId, int handedOver, int active);

        [LoggerMessage(EventId = 1102, Level = LogLevel.Information, Message = "Connection {ConnectionId}: {Count} turn(s) still running at the end of the drain: cancelling them")]
        public static partial void DrainTimedOut(ILogger logger, string connectionId, int count);
    }
}
