using LettaSockets.Server.Connections;
using LettaSockets.Server.Resilience;
using LettaSockets.Server.Sockets;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Options;
using LettaSockets.Server.Upstream;

namespace LettaSockets.Server.Health;

/// <summary>
/// Ready = worth sending new connections to: not draining, the circuit breaker to Letta not open,
/// and Letta answering a cheap request (cached for <see cref="HealthOptions.ProbeInterval"/>, a failed answer
/// only for <see cref="HealthOptions.FailedProbeInterval"/>; one probe at a time, so a probe storm never
/// becomes a storm on Letta).
/// </summary>
internal sealed class LettaReadinessCheck(IUpstream letta, IOptions<CircuitBreakerSettings> breaker, GracefulShutdown shutdown, IOptions<HealthOptions> options, TimeProvider time) : IHealthCheck, IDisposable
{
    private readonly SemaphoreSlim _probing = new(1, 1);
    private HealthCheckResult _cached;
    private long _cachedAt;
    private bool _hasCached;

    public void Dispose() => _probing.Dispose();

    public async Task<HealthCheckResult> CheckHealthAsync(HealthCheckContext context, CancellationToken cancellationToken = default)
    {
        if (shutdown.IsDraining)
        {
            return HealthCheckResult.Unhealthy("shutting down");
        }

        if (breaker.Value.Enabled && breaker.Value.Status.IsOpen)
        {
            return HealthCheckResult.Unhealthy("circuit breaker open: Letta keeps failing");
        }

        await _probing.WaitAsync(cancellationToken).ConfigureAwait(false);
        try
        {
            if (_hasCached && time.GetElapsedTime(_cachedAt) < CacheFor(_cached))
            {
                return _cached;
            }

            _cached = await ProbeAsync(cancellationToken).ConfigureAwait(false);
            _cachedAt = time.GetTimestamp();
            _hasCached = true;
            return _cached;
        }
        finally
        {
            _probing.Release();
        }
    }

    private TimeSpan CacheFor(HealthCheckResult result) => result.Status == HealthStatus.Healthy
        ? options.Value.ProbeInterval
        : TimeSpan.FromTicks(Math.Min(options.Value.FailedProbeInterval.Ticks, options.Value.ProbeInterval.Ticks));

    private async Task<HealthCheckResult> ProbeAsync(CancellationToken cancellationToken)
    {
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(options.Value.ProbeTimeout);
        try
        {
            (bool ok, string detail) = await letta.ProbeAsync(timeout.Token).ConfigureAwait(false);
            return ok ? HealthCheckResult.Healthy($"Letta answers ({detail})") : HealthCheckResult.Unhealthy($"Letta answers {detail}");
        }
        catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
        {
            return HealthCheckResult.Unhealthy($"Letta did not answer within {options.Value.ProbeTimeout.TotalSeconds:0.#} s");
        }
    }
}
