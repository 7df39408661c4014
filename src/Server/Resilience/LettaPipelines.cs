using Polly;

namespace LettaSockets.Server.Resilience;

/// <summary>The resilience pipelines of Letta requests: <see cref="Guarded"/> (retry, circuit breaker,
/// attempt timeout) for turns, <see cref="Unguarded"/> (no breaker) for requests that set
/// <see cref="LettaResilience.BypassBreaker"/>.</summary>
public sealed record LettaPipelines(ResiliencePipeline<HttpResponseMessage> Guarded, ResiliencePipeline<HttpResponseMessage> Unguarded);
