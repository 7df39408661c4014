using System.ComponentModel.DataAnnotations;
using System.Diagnostics.CodeAnalysis;
using LettaSockets.Server.Hosting;

namespace LettaSockets.Server.Resilience;

/// <summary>When to stop sending Letta new turns for a while (configuration section <c>Letta:CircuitBreaker</c>).</summary>
public sealed class CircuitBreakerSettings
{
    public bool Enabled { get; set; } = true;

    /// <summary>Share of failed requests in <see cref="SamplingDuration"/> that opens the circuit.</summary>
    [Range(0d, 1d, MinimumIsExclusive = true, ErrorMessage = "Letta:CircuitBreaker:FailureRatio must be more than 0 and at most 1.")]
    public double FailureRatio { get; set; } = 0.5;

    /// <summary>Requests needed in the sampling window before the ratio counts.</summary>
    [Range(2, int.MaxValue, ErrorMessage = "Letta:CircuitBreaker:MinimumThroughput must be at least 2.")]
    public int MinimumThroughput { get; set; } = 8;

    /// <summary>The window the ratio is taken over (Polly's bounds: half a second to a day).</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = TrimSafe.RangeOfTimeSpan)]
    [Range(typeof(TimeSpan), "00:00:00.5", "1.00:00:00", ErrorMessage = "Letta:CircuitBreaker:SamplingDuration must be between 00:00:00.5 and 1.00:00:00.")]
    public TimeSpan SamplingDuration { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long the circuit stays open (Polly's bounds: half a second to a day).</summary>
    [UnconditionalSuppressMessage("Trimming", "IL2026", Justification = TrimSafe.RangeOfTimeSpan)]
    [Range(typeof(TimeSpan), "00:00:00.5", "1.00:00:00", ErrorMessage = "Letta:CircuitBreaker:BreakDuration must be between 00:00:00.5 and 1.00:00:00.")]
    public TimeSpan BreakDuration { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Lets <c>/readyz</c> see the breaker's state. Kept by the breaker's own callbacks rather than a
    /// Polly state provider: the pipeline registry may build a pipeline twice under a race, and a state
    /// provider can serve only one breaker.</summary>
    internal BreakerStatus Status { get; } = new();
}
