using Microsoft.Extensions.Options;

namespace LettaSockets.Server.Resilience;

/// <summary>Checks <c>Letta:CircuitBreaker</c> at start-up, every problem at once (Polly would only
/// refuse a bad value when the first request builds the pipeline): the data annotations on
/// <see cref="CircuitBreakerSettings"/>, by a validator the options source generator writes.</summary>
[OptionsValidator]
public sealed partial class CircuitBreakerSettingsValidator : IValidateOptions<CircuitBreakerSettings>;
