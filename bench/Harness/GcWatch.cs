using System.Collections.Concurrent;
using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace LettaSockets.Bench.Harness;

/// <summary>
/// The garbage collections and thread-pool changes of another .NET process while a measurement runs, read
/// over EventPipe (GC and threading keywords, informational): when each collection paused the process, of
/// which generation, for how long; when the pool changed its thread count. For <c>--timeline</c>, to tie the
/// slow deltas of a window to what the gateway's runtime did then.
/// </summary>
internal sealed class GcWatch : IAsyncDisposable
{
    private const string RuntimeProvider = "Microsoft-Windows-DotNETRuntime";
    private readonly EventPipeSession _session;
    private readonly Task _processing;
    private readonly ConcurrentQueue<RuntimeEvent> _events = new();
    private int _stopped;

    private GcWatch(EventPipeSession session)
    {
        _session = session;
        var source = new EventPipeEventSource(session.EventStream);
        DateTime suspended = default;
        int generation = -1;
        string reason = "";
        source.Clr.GCStart += e => (generation, reason) = (e.Depth, e.Reason.ToString());
        source.Clr.GCHeapStats += e =>
            _events.Enqueue(new RuntimeEvent(e.TimeStamp.ToUniversalTime(), $"  ({reason}; promoted {(e.TotalPromotedSize0 + e.TotalPromotedSize1) / 1024} KiB, gen0 {e.GenerationSize0 / 1024} KiB gen1 {e.GenerationSize1 / 1024} KiB gen2 {e.GenerationSize2 / 1024} KiB)", 0));
        source.Clr.GCSuspendEEStart += e => suspended = e.TimeStamp;
        source.Clr.GCRestartEEStop += e =>
        {
            if (suspended != default)
            {
                _events.Enqueue(new RuntimeEvent(suspended.ToUniversalTime(), $"gc{generation}", (e.TimeStamp - suspended).TotalMilliseconds));
                suspended = default;
            }
        };
        source.Clr.ThreadPoolWorkerThreadAdjustmentAdjustment += e =>
            _events.Enqueue(new RuntimeEvent(e.TimeStamp.ToUniversalTime(), $"pool→{e.NewWorkerThreadCount} ({e.Reason})", 0));
        _processing = Task.Run(() =>
        {
            using (source)
            {
                source.Process();
            }
        });
    }

    public static GcWatch Start(int pid)
    {
        long keywords = (long)(ClrTraceEventParser.Keywords.GC | ClrTraceEventParser.Keywords.Threading);
        EventPipeSession session = new DiagnosticsClient(pid).StartEventPipeSession(
            [new EventPipeProvider(RuntimeProvider, EventLevel.Informational, keywords)], requestRundown: false);
        return new GcWatch(session);
    }

    /// <summary>What happened so far (collections with their pause, pool adjustments), oldest first.</summary>
    public IReadOnlyList<RuntimeEvent> Events => [.. _events.OrderBy(e => e.At)];

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _stopped, 1) != 0)
        {
            return;
        }

        await _session.StopAsync(CancellationToken.None).ConfigureAwait(false);
        await _processing.WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        _session.Dispose();
    }
}

/// <summary>One runtime event of <see cref="GcWatch"/>: when (UTC), what, and a collection's pause in ms.</summary>
internal readonly record struct RuntimeEvent(DateTime At, string What, double PauseMs);
