using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using LettaSockets.Server.Hosting;

namespace LettaSockets.Server.Health;

/// <summary>How <c>/readyz</c> checks Letta (configuration section <c>Health</c>).</summary>
public sealed class HealthOptions
{
    public const string Section = "Health";

    /// <summary>How long a probe's answer is reused: probes from a load balancer every second cost Letta one request per interval.</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = TrimSafe.RangeOfTimeSpan)]
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00", ErrorMessage = "Health:ProbeInterval must be between 00:00:00 and 1.00:00:00.")]
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>How long a failed probe's answer is reused (at most <see cref="ProbeInterval"/>): an instance that
    /// becomes ready (start-up, Letta back) says so within this, not a whole interval later.</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = TrimSafe.RangeOfTimeSpan)]
    [Range(typeof(TimeSpan), "00:00:00", "1.00:00:00", ErrorMessage = "Health:FailedProbeInterval must be between 00:00:00 and 1.00:00:00.")]
    public TimeSpan FailedProbeInterval { get; set; } = TimeSpan.FromSeconds(1);

    /// <summary>Bound on one probe (<c>GET /v1/agents?limit=1</c>).</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = TrimSafe.RangeOfTimeSpan)]
    [Range(typeof(TimeSpan), "00:00:00.001", "01:00:00", ErrorMessage = "Health:ProbeTimeout must be positive (at most 01:00:00).")]
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
