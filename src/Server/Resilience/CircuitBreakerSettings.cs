
namespace LettaSockets.Server.Resilience;

/// <summary>When to stop sending Letta new turns for a while (configuration section <c>Letta:CircuitBreaker</c>).</summary>
public sealed class CircuitBreakerSettings
{
    public bool Enabled { get; set; } = true;

    /// <summary>Share of failed requests in <see cref="SamplingDuration"/> that opens the circuit.</summary>
    public double FailureRatio { get; set; } = 0.5;

    /// <summary>Requests needed in the sampling window before the ratio counts.</summary>
    public int MinimumThroughput { get; set; } = 8;

    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Lets <c>/readyz</c> see the breaker's state. Kept by the breaker's own callbacks rather than a
    /// Polly state provider: the pipeline registry may build a pipeline twice under a race, and a state
    /// provider can serve only one breaker.</summary>
    internal BreakerStatus Status { get; } = new();
}
