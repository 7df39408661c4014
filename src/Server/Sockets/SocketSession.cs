using LettaSockets.Server.Connections;
using System.Diagnostics;
using System.Net.WebSockets;
using System.Threading.Channels;
using LettaSockets.Protocol.Chunks;
using LettaSockets.Protocol.Frames;
using LettaSockets.Server.Turns;
using LettaSockets.Server.Upstream;

namespace LettaSockets.Server.Sockets;

/// <summary>
/// One WebSocket connection: a reader loop that parses client frames and starts or cancels turns,
/// and a writer loop — the only caller of <c>SendAsync</c> — that drains the bounded outbound queue.
/// Everything else (pumps, the reader's error frames, pongs) writes to that queue. The session does
/// not return while either loop or any pump still runs (each wait is bounded).
/// </summary>
public sealed partial class SocketSession : IDrainableConnection, IBufferHolder, IDisposable
{
    private readonly WebSocket _socket;
    private readonly SessionContext _context;
    private readonly SocketOptions _options;
    private readonly LettaOptions _letta;
    private readonly TurnPump _pump;
    private readonly TurnAdmission _admission;
    private readonly RunCanceller _canceller;
    private readonly TimeProvider _time;
    private readonly ILogger _logger;
    private readonly TurnHost _turns;
    private readonly InstanceBuffers? _buffers;
    private ITimer? _stallTimer; // made by the writer the first time a send does not complete at once
    private int _closeReason = -1;
    private int _nextRequest;

    public SocketSession(WebSocket socket, SessionContext context, SocketOptions options, LettaOptions letta, TurnPump pump, RunCanceller canceller, TimeProvider time, ILogger logger, CancellationToken requestAborted, InstanceBuffers? buffers = null)
    {
        _socket = socket;
        _context = context;
        _options = options;
        _letta = letta;
        _pump = pump;
        _admission = new TurnAdmission(options.MaxContentChars, letta.ResumableTurns, pump.Capabilities);
        _canceller = canceller;
        _time = time;
        _logger = logger;
        _buffers = buffers;
        buffers?.Register(this);
        _turns = new TurnHost(options.MaxActiveTurns, options.OutboundQueueCapacity, options.MaxQueuedBytes, requestAborted, buffers?.Adder)
        {
            RemembersOwnRuns = true, // its follows skip the runs it started itself
            JoinsDeltas = options.MaxMergedChunks > 1, // the writer merges queued deltas anyway; 1 turns both off
        };
    }

    public string ConnectionId => _context.ConnectionId;

    /// <summary>Where the writer reports the frames it sent; null reports nothing.</summary>
    public Observability.LettaSocketsMetrics? Metrics { get; init; }

    /// <summary>Turns that have not sent their terminal frame yet.</summary>
    public int ActiveTurns => _turns.ActiveTurns;

    public long QueuedBytes => _turns.QueuedBytes;

    /// <summary>The instance is over its buffer cap and this connection holds the most: closed as a slow consumer.</summary>
    public void Shed() => CloseAsSlowConsumer(shed: true);

    public async Task RunAsync()
    {
        var ready = new ReadyInfo(_context.ConnectionId, _context.AgentId, _letta.ResumableTurns, _options.MaxFrameBytes, _options.MaxContentChars, _options.MaxActiveTurns, ServerVersion.Value)
        {
            ServerInstance = _options.InstanceId,
            Conversations = _pump.Capabilities.Conversations,
        };
        if (_context.AgentId is null)
        {
            _turns.Output.TryWrite(StreamChunk.Failure(null, new ErrorInfo(ErrorCodes.NoDefaultAgent, "This server has no default agent: connect to /ws/{agentId}, or send \"agent_id\" with each message.")));
        }

        Log.Connected(_logger, _context.ConnectionId, _context.AgentId);

        Task reading = ReadLoopAsync();
        // The writer sends `ready` itself, before it reads the queue: the one frame every connection gets
        // never enters the channel, whose storage is made by the first frame queued and kept (four slots
        // at least, 256 B) — so a connection that never starts a turn holds none.
        Task writing = WriteLoopAsync(ready);
        Task first = await Task.WhenAny(reading, writing).ConfigureAwait(false);
        using IDisposable? scope = LogScope(); // for what ending the connection logs

        EndFollows(); // no new followed turns for a connection that is ending
        CloseReason reason = (CloseReason)Math.Max(Volatile.Read(ref _closeReason), (int)CloseReason.ClientGone);
        _turns.EndAll(reason switch
        {
            CloseReason.SlowConsumer => CancelledBy.SlowConsumer,
            CloseReason.Shutdown => CancelledBy.Shutdown,
            _ => CancelledBy.Disconnect,
        });

        // Let the writer flush what is queued (bounded), then stop both loops.
        _turns.Complete();
        if (first == reading)
        {
            await WaitQuietlyAsync(writing, _options.CloseTimeout).ConfigureAwait(false);
        }
        else
        {
            await AwaitCloseReplyAsync(reading).ConfigureAwait(false);
        }

        _turns.Abort();
        await WaitQuietlyAsync(first == reading ? writing : reading, _options.CloseTimeout).ConfigureAwait(false);
        await CloseAsync(reason).ConfigureAwait(false);
        await _turns.WaitForPumpsAsync(_letta.WindDownTimeout + _letta.CancelTimeout).ConfigureAwait(false);
        await EndShutdownAsync().ConfigureAwait(false);
        Log.Disconnected(_logger, _context.ConnectionId, reason);
    }

    /// <summary>
    /// The connection's log scope (<c>ConnectionId</c>, <c>AgentId</c>), begun around each message and around
    /// the connection's end rather than held for its life: held, it keeps its scope objects and an execution
    /// context of its own alive for as long as the socket is open (about 0.2 KB per idle connection).
    /// </summary>
    private IDisposable? LogScope() => _logger.BeginScope(new Observability.ConnectionLogScope(_context.ConnectionId, _context.AgentId));

    public void Dispose()
    {
        EndFollows();
        _buffers?.Unregister(this);
        Volatile.Read(ref _stallTimer)?.Dispose();
        _turns.Dispose();
    }

    private async Task CloseAsync(CloseReason reason)
    {
        (WebSocketCloseStatus status, string description) = reason switch
        {
            CloseReason.SlowConsumer => (WebSocketCloseStatus.PolicyViolation, "slow_consumer"),
            CloseReason.Shutdown => (ShutdownStatus, "shutdown"),
            _ => (WebSocketCloseStatus.NormalClosure, "bye"),
        };

        await LingerAfterLayerCloseAsync().ConfigureAwait(false);
        using var timeout = new CancellationTokenSource(_options.CloseTimeout, _time);
        try
        {
            if (_socket.State is WebSocketState.Open or WebSocketState.CloseReceived)
            {
                await _socket.CloseOutputAsync(status, description, timeout.Token).ConfigureAwait(false);
            }

            if (_socket.State == WebSocketState.CloseSent)
            {
                // Our close frame is out: wait, bounded, for the client's answer. Tearing the
                // connection down at once can reset it before the client has read the close frame.
                await _socket.CloseAsync(status, description, timeout.Token).ConfigureAwait(false);
            }

            if (_socket.State == WebSocketState.Closed)
            {
                return;
            }
        }
        catch (Exception e) when (e is WebSocketException or OperationCanceledException or IOException)
        {
        }

        _socket.Abort();
    }

    private string NextRequestId() => $"{_context.ConnectionId}-{Interlocked.Increment(ref _nextRequest)}";

    private static async Task WaitQuietlyAsync(Task task, TimeSpan timeout)
    {
        try
        {
            await task.WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
    }
}
