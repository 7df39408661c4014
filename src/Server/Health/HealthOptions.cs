namespace LettaSockets.Server.Health;

/// <summary>How <c>/readyz</c> checks Letta (configuration section <c>Health</c>).</summary>
public sealed class HealthOptions
{
    public const string Section = "Health";

    /// <summary>How long a probe's answer is reused: probes from a load balancer every second cost Letta one request per interval.</summary>
    public TimeSpan ProbeInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Bound on one probe (<c>GET /v1/agents?limit=1</c>).</summary>
    public TimeSpan ProbeTimeout { get; set; } = TimeSpan.FromSeconds(5);
}
