using LettaSockets.Server.Turns;
using Microsoft.Extensions.Options;

namespace LettaSockets.Server.Connections;

/// <summary>
/// Drains the instance on SIGTERM (or any host stop): from <c>ApplicationStopping</c> on, upgrades
/// get 503 <c>shutting_down</c> and every connection drains (each <see cref="IDrainableConnection"/>).
/// The host waits in <see cref="StoppingAsync"/> — before Kestrel stops, so connections still close
/// politely — until every connection has ended and every cancel call reached Letta, bounded by
/// <see cref="HostOptions.ShutdownTimeout"/> (raised by <see cref="ShutdownTimeoutSetup"/>).
/// </summary>
public sealed partial class GracefulShutdown(ConnectionTracker tracker, RunCanceller canceller, IOptions<SocketOptions> options, IHostApplicationLifetime lifetime, ILogger<GracefulShutdown> logger) : IHostedLifecycleService
{
    private readonly TimeSpan _drainTimeout = options.Value.DrainTimeout;
    private CancellationTokenRegistration _onStopping;
    private int _draining;

    /// <summary>True once the instance stopped taking new connections and turns.</summary>
    public bool IsDraining => Volatile.Read(ref _draining) != 0;

    public Task StartAsync(CancellationToken cancellationToken)
    {
        _onStopping = lifetime.ApplicationStopping.Register(static s => ((GracefulShutdown)s!).BeginDrain(), this);
        return Task.CompletedTask;
    }

    /// <summary>Called by the endpoint right after it registered a new session: a session accepted
    /// while the drain began drains too (the tracker and the flag are each written before the other is read).</summary>
    public void Enlist(IDrainableConnection session)
    {
        if (IsDraining)
        {
            session.BeginShutdown(_drainTimeout);
        }
    }

    public async Task StoppingAsync(CancellationToken cancellationToken)
    {
        BeginDrain();
        try
        {
            await tracker.WhenEmptyAsync(cancellationToken).ConfigureAwait(false);
            await canceller.DrainAsync(cancellationToken).ConfigureAwait(false);
            Log.Drained(logger);
        }
        catch (OperationCanceledException)
        {
            Log.DrainAbandoned(logger, tracker.Count, canceller.Pending);
        }
    }

    public Task StopAsync(CancellationToken cancellationToken)
    {
        _onStopping.Dispose();
        return Task.CompletedTask;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    private void BeginDrain()
    {
        if (Interlocked.Exchange(ref _draining, 1) != 0)
        {
            return;
        }

        Log.Draining(logger, tracker.Count, _drainTimeout.TotalSeconds);
        foreach (IDrainableConnection session in tracker.Sessions)
        {
            session.BeginShutdown(_drainTimeout);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 1103, Level = LogLevel.Information, Message = "Shutting down: draining {Count} connection(s) for up to {Seconds} s")]
        public static partial void Draining(ILogger logger, int count, double seconds);

        [LoggerMessage(EventId = 1104, Level = LogLevel.Information, Message = "Every connection closed and every cancel reached Letta")]
        public static partial void Drained(ILogger logger);

        [LoggerMessage(EventId = 1105, Level = LogLevel.Warning, Message = "Shutdown timeout: {Count} connection(s) and {Cancels} cancel call(s) still open are abandoned")]
        public static partial void DrainAbandoned(ILogger logger, int count, int cancels);
    }
}
