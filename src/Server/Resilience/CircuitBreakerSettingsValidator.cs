using Microsoft.Extensions.Options;

namespace LettaSockets.Server.Resilience;

/// <summary>Checks <c>Letta:CircuitBreaker</c> at start-up, every problem at once (Polly would only
/// refuse a bad value when the first request builds the pipeline).</summary>
public sealed class CircuitBreakerSettingsValidator : IValidateOptions<CircuitBreakerSettings>
{
    public ValidateOptionsResult Validate(string? name, CircuitBreakerSettings o)
    {
        var errors = new List<string>();
        if (o.FailureRatio is <= 0 or > 1)
        {
            errors.Add("Letta:CircuitBreaker:FailureRatio must be more than 0 and at most 1.");
        }

        if (o.MinimumThroughput < 2)
        {
            errors.Add("Letta:CircuitBreaker:MinimumThroughput must be at least 2.");
        }

        if (o.SamplingDuration < TimeSpan.FromMilliseconds(500))
        {
            errors.Add("Letta:CircuitBreaker:SamplingDuration must be at least 00:00:00.5.");
        }

        if (o.BreakDuration < TimeSpan.FromMilliseconds(500))
        {
            errors.Add("Letta:CircuitBreaker:BreakDuration must be at least 00:00:00.5.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
