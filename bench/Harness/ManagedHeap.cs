using System.Diagnostics.Tracing;
using Microsoft.Diagnostics.NETCore.Client;
using Microsoft.Diagnostics.Tracing;
using Microsoft.Diagnostics.Tracing.Parsers;
using Microsoft.Diagnostics.Tracing.Parsers.Clr;

namespace LettaSockets.Bench.Harness;

/// <summary>
/// What another .NET process's managed heap really holds: asks its runtime, over the diagnostics IPC
/// channel (EventPipe), for a full blocking collection — the <c>GCHeapCollect</c> keyword, the way
/// <c>dotnet-gcdump</c> triggers one — and reads that collection's <c>GCHeapStats</c>. Unlike RSS this
/// leaves out garbage not yet collected and memory the GC keeps for reuse: it is what is live.
/// </summary>
internal static class ManagedHeap
{
    private const string RuntimeProvider = "Microsoft-Windows-DotNETRuntime";

    /// <summary>Forces a full collection in <paramref name="pid"/> and returns the bytes that survived it.</summary>
    public static async Task<long> LiveBytesAfterFullCollectionAsync(int pid, CancellationToken cancellationToken)
    {
        var client = new DiagnosticsClient(pid);
        long keywords = (long)(ClrTraceEventParser.Keywords.GC | ClrTraceEventParser.Keywords.GCHeapCollect);
        using EventPipeSession session = client.StartEventPipeSession(
            [new EventPipeProvider(RuntimeProvider, EventLevel.Informational, keywords)], requestRundown: false);

        var result = new TaskCompletionSource<long>(TaskCreationOptions.RunContinuationsAsynchronously);
        bool fullStarted = false;
        using var source = new EventPipeEventSource(session.EventStream);
        source.Clr.GCStart += e =>
        {
            // The induced one is blocking and of generation 2; a background collection already under way is not it.
            fullStarted = e.Depth == 2 && e.Type != GCType.BackgroundGC;
        };
        source.Clr.GCHeapStats += e =>
        {
            if (fullStarted)
            {
                result.TrySetResult(e.TotalPromoted);
            }
        };

        Task processing = Task.Run(source.Process, CancellationToken.None);
        try
        {
            return await result.Task.WaitAsync(TimeSpan.FromSeconds(30), cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            await session.StopAsync(CancellationToken.None).ConfigureAwait(false);
            await processing.WaitAsync(TimeSpan.FromSeconds(10), CancellationToken.None).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
        }
    }
}
