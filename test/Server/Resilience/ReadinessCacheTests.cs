using LettaSockets.Server.Connections;
using LettaSockets.Server.Health;
using LettaSockets.Server.Resilience;
using LettaSockets.Server.Sockets;
using LettaSockets.Server.Turns;
using LettaSockets.Server.Upstream;
using Microsoft.Extensions.Diagnostics.HealthChecks;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging.Abstractions;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace LettaSockets.Server.Tests.Resilience;

/// <summary>
/// <c>/readyz</c> reuses Letta's answer for <c>Health:ProbeInterval</c>, but a failed answer only for
/// <c>Health:FailedProbeInterval</c>: an instance that becomes ready (a gateway that started before its
/// upstream answered, Letta back after an outage) says so within a second, not ten.
/// </summary>
[TestClass]
public sealed class ReadinessCacheTests
{
    private readonly FakeTimeProvider _time = new();
    private readonly RecordingUpstream _letta = new() { Reachable = false };

    [TestMethod]
    public async Task A_failed_probe_is_reused_only_for_the_failed_probe_interval()
    {
        using LettaReadinessCheck check = Check();

        Assert.AreEqual(HealthStatus.Unhealthy, (await CheckAsync(check)).Status);
        _letta.Reachable = true;
        _time.Advance(TimeSpan.FromMilliseconds(900));
        Assert.AreEqual(HealthStatus.Unhealthy, (await CheckAsync(check)).Status, "still within the failed probe's second");
        Assert.AreEqual(1, _letta.Probes);

        _time.Advance(TimeSpan.FromMilliseconds(100));
        Assert.AreEqual(HealthStatus.Healthy, (await CheckAsync(check)).Status, "re-probed after a second, not after ProbeInterval");
        Assert.AreEqual(2, _letta.Probes);
    }

    [TestMethod]
    public async Task A_good_probe_is_reused_for_the_whole_probe_interval()
    {
        _letta.Reachable = true;
        using LettaReadinessCheck check = Check();

        Assert.AreEqual(HealthStatus.Healthy, (await CheckAsync(check)).Status);
        _letta.Reachable = false;
        _time.Advance(TimeSpan.FromSeconds(9.9));
        Assert.AreEqual(HealthStatus.Healthy, (await CheckAsync(check)).Status);
        Assert.AreEqual(1, _letta.Probes, "one probe per ProbeInterval, however often /readyz is asked");

        _time.Advance(TimeSpan.FromSeconds(0.1));
        Assert.AreEqual(HealthStatus.Unhealthy, (await CheckAsync(check)).Status);
        Assert.AreEqual(2, _letta.Probes);
    }

    private LettaReadinessCheck Check()
    {
        var health = Options.Create(new HealthOptions { ProbeInterval = TimeSpan.FromSeconds(10), FailedProbeInterval = TimeSpan.FromSeconds(1) });
        var shutdown = new GracefulShutdown(new ConnectionTracker(), new RunCanceller(_letta, Options.Create(new LettaOptions())), Options.Create(new SocketOptions()), new NoLifetime(), NullLogger<GracefulShutdown>.Instance);
        return new LettaReadinessCheck(_letta, Options.Create(new CircuitBreakerSettings()), shutdown, health, _time);
    }

    private static Task<HealthCheckResult> CheckAsync(LettaReadinessCheck check) =>
        check.CheckHealthAsync(new HealthCheckContext(), CancellationToken.None).WaitAsync(TimeSpan.FromSeconds(10));

    private sealed class NoLifetime : IHostApplicationLifetime
    {
        public CancellationToken ApplicationStarted => CancellationToken.None;

        public CancellationToken ApplicationStopping => CancellationToken.None;

        public CancellationToken ApplicationStopped => CancellationToken.None;

        public void StopApplication()
        {
        }
    }
}
