using System.Diagnostics;
using Microsoft.Extensions.Options;
using LettaSockets.Server.Upstream;

namespace LettaSockets.Server.Letta;

/// <summary>
/// Before the gateway listens, opens <see cref="LettaOptions.WarmConnections"/> pooled connections to Letta's
/// HTTP API (<see cref="LettaClient.WarmUpAsync"/>), so that the burst of turns a fresh instance meets after
/// a deploy, a restart or a failover reuses them rather than connecting (and, to Letta Cloud, shaking hands)
/// while it streams. Measured: a fresh instance's 256 new upstream connections were most of its added p99 in
/// that burst (docs/BENCHMARKS.md, "Cold start"). Bounded by <see cref="LettaOptions.WarmUpTimeout"/>: a
/// Letta that is down or slow delays listening by at most that, and <c>/readyz</c> then says what is wrong.
/// Idle connections close after a minute (<see cref="SocketsHttpHandler.PooledConnectionIdleTimeout"/>), or
/// sooner if Letta closes them: the warm-up is for the clients that arrive when the instance becomes ready.
/// </summary>
internal sealed partial class LettaConnectionWarmUp(LettaClient letta, IOptions<LettaOptions> options, TimeProvider time, ILogger<LettaConnectionWarmUp> logger) : IHostedLifecycleService
{
    /// <summary>Runs after the embedded simulator's <c>StartingAsync</c> (registered after it) and before
    /// any service's <c>StartAsync</c>, Kestrel's included.</summary>
    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        int connections = options.Value.WarmConnections;
        if (connections == 0)
        {
            return;
        }

        using var bound = new CancellationTokenSource(options.Value.WarmUpTimeout, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken, bound.Token);
        long started = Stopwatch.GetTimestamp();
        (int opened, string? failure) = await letta.WarmUpAsync(connections, linked.Token).ConfigureAwait(false);
        cancellationToken.ThrowIfCancellationRequested(); // the host is stopping: not a warm-up failure
        double ms = Stopwatch.GetElapsedTime(started).TotalMilliseconds;
        if (failure is null)
        {
            Log.Warmed(logger, opened, ms);
        }
        else
        {
            Log.PartlyWarmed(logger, opened, connections, ms, failure);
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private static partial class Log
    {
        [LoggerMessage(EventId = 2010, Level = LogLevel.Information, Message = "Opened {Connections} connections to Letta before listening ({Milliseconds:0} ms)")]
        public static partial void Warmed(ILogger logger, int connections, double milliseconds);

        [LoggerMessage(EventId = 2011, Level = LogLevel.Warning, Message = "Opened {Opened} of {Connections} connections to Letta before listening ({Milliseconds:0} ms); the first failure: {Failure}. Turns open their own connections as they need them")]
        public static partial void PartlyWarmed(ILogger logger, int opened, int connections, double milliseconds, string failure);
    }
}
