using System.Diagnostics;
using System.Diagnostics.Metrics;
using LettaSockets.Protocol.Chunks;
using LettaSockets.Protocol.Frames;

namespace LettaSockets.Server.Observability;

/// <summary>
/// The gateway's instruments on the <c>LettaSockets</c> meter (README "Metrics"). Hot paths only
/// touch untagged counters, and per-chunk/per-frame counts arrive in batches (turn totals at turn
/// end, writer totals when a writer goes idle), so relaying a delta costs no metric call at all.
/// </summary>
public sealed class LettaSocketsMetrics
{
    public const string MeterName = "LettaSockets";

    public const string WebSocketTransport = "websocket";

    public const string SseTransport = "sse";

    private static readonly double[] MillisecondBuckets = [5, 10, 25, 50, 100, 250, 500, 1_000, 2_500, 5_000, 10_000, 30_000, 60_000, 120_000, 300_000];

    private readonly UpDownCounter<long> _connections;
    private readonly UpDownCounter<long> _activeTurns;
    private readonly UpDownCounter<long> _buffered;
    private readonly Counter<long> _turns;
    private readonly Histogram<double> _timeToFirstToken;
    private readonly Histogram<double> _duration;
    private readonly Counter<long> _chunks;
    private readonly Counter<long> _frames;
    private readonly Counter<long> _cancels;
    private readonly Counter<long> _upstreamErrors;
    private readonly Counter<long> _retries;
    private readonly Counter<long> _ignored;

    public LettaSocketsMetrics(IMeterFactory meterFactory)
    {
        Meter meter = meterFactory.Create(new MeterOptions(MeterName) { Version = ServerVersion.Value });
        var buckets = new InstrumentAdvice<double> { HistogramBucketBoundaries = MillisecondBuckets };
        _connections = meter.CreateUpDownCounter<long>("lettasockets.connections.active", "{connection}", "Open WebSocket connections and POST /stream requests.");
        _buffered = meter.CreateUpDownCounter<long>("lettasockets.buffered", "By", "Bytes buffered for clients: outbound queues and paced turns (strings, two bytes a character).");
        _activeTurns = meter.CreateUpDownCounter<long>("lettasockets.turns.active", "{turn}", "Turns whose pump is running (including cancelled runs still winding down).");
        _turns = meter.CreateCounter<long>("lettasockets.turns", "{turn}", "Finished turns by terminal frame and stop reason or error code.");
        _timeToFirstToken = meter.CreateHistogram("lettasockets.turn.time_to_first_token", "ms", "From accepting a turn to Letta's first content delta.", advice: buckets);
        _duration = meter.CreateHistogram("lettasockets.turn.duration", "ms", "From accepting a turn until its pump stopped (pacing included).", advice: buckets);
        _chunks = meter.CreateCounter<long>("lettasockets.chunks.relayed", "{chunk}", "Deltas relayed from Letta (before merging or pacing).");
        _frames = meter.CreateCounter<long>("lettasockets.frames.sent", "{frame}", "Frames (WebSocket messages or SSE events) sent to clients.");
        _cancels = meter.CreateCounter<long>("lettasockets.cancels", "{turn}", "Turns cancelled, by cause.");
        _upstreamErrors = meter.CreateCounter<long>("lettasockets.upstream.errors", "{error}", "Turns that failed because of Letta, by error code.");
        _retries = meter.CreateCounter<long>("lettasockets.upstream.retries", "{retry}", "Retries of requests that open a Letta stream.");
        _ignored = meter.CreateCounter<long>("lettasockets.upstream.ignored", "{frame}", "Upstream frames of a type the gateway does not know, ignored (the turn goes on), by type.");
    }

    public void ConnectionOpened(string transport) => _connections.Add(1, new KeyValuePair<string, object?>("transport", transport));

    public void ConnectionClosed(string transport) => _connections.Add(-1, new KeyValuePair<string, object?>("transport", transport));

    public void FramesSent(long count, string transport)
    {
        if (count > 0)
        {
            _frames.Add(count, new KeyValuePair<string, object?>("transport", transport));
        }
    }

    public void Retried() => _retries.Add(1);

    /// <summary>An upstream frame (or delta) type the gateway does not know was ignored.</summary>
    public void UpstreamFrameIgnored(string type) => _ignored.Add(1, new KeyValuePair<string, object?>("type", type));

    public void TurnStarted() => _activeTurns.Add(1);

    /// <summary>A change of the bytes buffered for clients (outbound queues and paced turns).</summary>
    public void BufferedBytes(long delta) => _buffered.Add(delta);

    /// <summary>Records a turn whose pump has stopped. <paramref name="terminal"/> is the terminal frame
    /// the pump produced, if any; a cancel that came first (<paramref name="cancelledBy"/>, null when the
    /// turn was not cancelled) decides instead.</summary>
    public void TurnEnded(long startedTimestamp, TurnMetrics counted, CancelledBy? cancelledBy, StreamChunk? terminal, bool detached)
    {
        _activeTurns.Add(-1);
        _duration.Record(Stopwatch.GetElapsedTime(startedTimestamp).TotalMilliseconds);
        if (counted.FirstContentTimestamp != 0)
        {
            _timeToFirstToken.Record(Stopwatch.GetElapsedTime(startedTimestamp, counted.FirstContentTimestamp).TotalMilliseconds);
        }

        if (counted.Chunks > 0)
        {
            _chunks.Add(counted.Chunks);
        }

        (string kind, string reason) = CountOutcome(cancelledBy, terminal, detached);
        _turns.Add(1, new KeyValuePair<string, object?>("terminal", kind), new KeyValuePair<string, object?>("reason", reason));
    }

    private (string Kind, string Reason) CountOutcome(CancelledBy? cancelledBy, StreamChunk? terminal, bool detached)
    {
        if (cancelledBy is { } by)
        {
            string cause = by.ToWire() ?? "unknown";
            if (detached)
            {
                return ("detached", cause); // the run goes on in Letta; not a cancel
            }

            _cancels.Add(1, new KeyValuePair<string, object?>("cause", cause));
            return ("done", StopReasons.Cancelled);
        }

        switch (terminal)
        {
            case { Kind: ChunkKind.Done, Payload: DoneInfo done }:
                if (done.CancelledBy == CancelledBy.Upstream)
                {
                    _cancels.Add(1, new KeyValuePair<string, object?>("cause", "upstream"));
                }

                return ("done", done.StopReason);
            case { Kind: ChunkKind.Error, Payload: ErrorInfo error }:
                if (error.Code != ErrorCodes.Internal)
                {
                    _upstreamErrors.Add(1, new KeyValuePair<string, object?>("code", error.Code));
                }

                return ("error", error.Code);
            default:
                return ("none", "none");
        }
    }
}
