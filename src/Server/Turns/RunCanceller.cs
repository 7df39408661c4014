using System.Collections.Concurrent;
using Microsoft.Extensions.Options;
using LettaSockets.Server.Upstream;

namespace LettaSockets.Server.Turns;

/// <summary>
/// Calls Letta's cancel endpoint for runs the gateway gives up (client cancel, disconnect, idle
/// timeout, shutdown). Calls are bounded by <see cref="LettaOptions.CancelTimeout"/>, independent of
/// the connection that asked (it is often gone), and tracked so shutdown can wait for them.
/// A call starts on the thread pool, never on the caller's thread: callers hold a turn's lock and are
/// about to send the client its <c>done</c>, and sending a request (the resilience pipeline, a pooled
/// connection, the socket write; an App Server command frame) is work neither should wait for.
/// </summary>
public sealed class RunCanceller(IUpstream client, IOptions<LettaOptions> options)
{
    private readonly ConcurrentDictionary<Task, byte> _pending = new();

    public int Pending => _pending.Count;

    public Task CancelAsync(string agentId, string runId)
    {
        Task call = Task.Run(() => CancelCoreAsync(agentId, runId));
        if (!call.IsCompleted)
        {
            _pending.TryAdd(call, 0);
            _ = call.ContinueWith(static (t, s) => ((ConcurrentDictionary<Task, byte>)s!).TryRemove(t, out _), _pending, CancellationToken.None, TaskContinuationOptions.ExecuteSynchronously, TaskScheduler.Default);
        }

        return call;
    }

    /// <summary>Waits (bounded) for every cancel call in flight.</summary>
    public Task DrainAsync(CancellationToken cancellationToken) =>
        Task.WhenAll(_pending.Keys).WaitAsync(cancellationToken);

    private async Task CancelCoreAsync(string agentId, string runId)
    {
        using var timeout = new CancellationTokenSource(options.Value.CancelTimeout);
        await client.CancelRunAsync(agentId, runId, timeout.Token).ConfigureAwait(false);
    }
}
