using System.Net;
using Polly;
using Polly.CircuitBreaker;
using Polly.Retry;
using LettaSockets.Server.Upstream;

namespace LettaSockets.Server.Resilience;

/// <summary>
/// The resilience of every Letta request, run by <c>Microsoft.Extensions.Http.Resilience</c>'s handler
/// (<see cref="Hosting.LettaSocketsServiceCollectionExtensions"/>): retry with backoff honouring
/// Retry-After, a per-attempt timeout up to the response headers, and a circuit breaker. The handler
/// returns as soon as response headers arrive, so only a request whose response has not started is
/// ever retried. Two pipeline instances: <see cref="Guarded"/> for turns, <see cref="Unguarded"/> (no
/// breaker) for requests that set <see cref="BypassBreaker"/>.
/// </summary>
public static partial class LettaResilience
{
    /// <summary>The handler's pipeline name.</summary>
    public const string PipelineName = "letta";

    /// <summary>Instance for turns: retry, breaker, attempt timeout.</summary>
    public const string Guarded = "guarded";

    /// <summary>Instance for cancel calls and the readiness probe: retry and attempt timeout, no breaker.</summary>
    public const string Unguarded = "unguarded";

    /// <summary>Set on a request that must reach Letta even while the circuit is open, and must not
    /// count towards opening it: cancel calls (stopping a run is what a failing Letta needs most) and
    /// the readiness probe (which reports the breaker's state on its own).</summary>
    public static readonly HttpRequestOptionsKey<bool> BypassBreaker = new("LettaSockets.BypassBreaker");

    /// <summary>Which instance a request runs through.</summary>
    public static string SelectInstance(HttpRequestMessage request) =>
        request.Options.TryGetValue(BypassBreaker, out bool bypass) && bypass ? Unguarded : Guarded;

    /// <summary>Adds the strategies of one instance to <paramref name="builder"/>.</summary>
    public static void Configure(ResiliencePipelineBuilder<HttpResponseMessage> builder, LettaOptions letta, CircuitBreakerSettings breaker, TimeProvider time, ILogger logger, Action? onRetry = null, bool circuitBreaker = true)
    {
        builder.TimeProvider = time;
        if (letta.MaxRetries > 0)
        {
            builder.AddRetry(new RetryStrategyOptions<HttpResponseMessage>
            {
                MaxRetryAttempts = letta.MaxRetries,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = letta.RetryBaseDelay,
                MaxDelay = TimeSpan.FromSeconds(5),
                ShouldHandle = args => ValueTask.FromResult(IsRetryable(args.Outcome, letta.MaxRetryAfter)),
                DelayGenerator = args => ValueTask.FromResult(args.Outcome.Result is { } r ? UpstreamErrors.RetryAfterOf(r.Headers) : null),
                OnRetry = args =>
                {
                    Log.Retrying(logger, args.AttemptNumber + 1, Describe(args.Outcome), args.RetryDelay.TotalMilliseconds);
                    args.Outcome.Result?.Dispose();
                    onRetry?.Invoke();
                    return ValueTask.CompletedTask;
                },
            });
        }

        if (breaker.Enabled && circuitBreaker)
        {
            builder.AddCircuitBreaker(new CircuitBreakerStrategyOptions<HttpResponseMessage>
            {
                FailureRatio = breaker.FailureRatio,
                MinimumThroughput = breaker.MinimumThroughput,
                SamplingDuration = breaker.SamplingDuration,
                BreakDuration = breaker.BreakDuration,
                ShouldHandle = args => ValueTask.FromResult(IsFailure(args.Outcome)),
                OnOpened = args =>
                {
                    breaker.Status.Opened();
                    Log.BreakerOpened(logger, args.BreakDuration.TotalSeconds);
                    return ValueTask.CompletedTask;
                },
                OnHalfOpened = _ =>
                {
                    breaker.Status.Closed();
                    return ValueTask.CompletedTask;
                },
                OnClosed = _ =>
                {
                    breaker.Status.Closed();
                    Log.BreakerClosed(logger);
                    return ValueTask.CompletedTask;
                },
            });
        }

        // Bounds one attempt up to the response headers; a stream's body is governed by the idle timeout.
        builder.AddTimeout(letta.OpenTimeout);
    }

    /// <summary>Retry only what cannot have started a run: a refused connection, or a status Letta
    /// answered before doing anything (408, 429 with a bearable Retry-After, 5xx). A timed-out
    /// attempt is not retried: Letta may have accepted the message.</summary>
    internal static bool IsRetryable(Outcome<HttpResponseMessage> outcome, TimeSpan maxRetryAfter)
    {
        if (outcome.Exception is HttpRequestException { HttpRequestError: HttpRequestError.ConnectionError or HttpRequestError.NameResolutionError or HttpRequestError.SecureConnectionError or HttpRequestError.ProxyTunnelError })
        {
            return true;
        }

        if (outcome.Result is not { } response)
        {
            return false;
        }

        int status = (int)response.StatusCode;
        if (status == (int)HttpStatusCode.TooManyRequests)
        {
            return UpstreamErrors.RetryAfterOf(response.Headers) is not { } wait || wait <= maxRetryAfter;
        }

        return status is 408 or 500 or 502 or 503 or 504;
    }

    /// <summary>What counts against the circuit breaker: Letta unreachable or failing, not a client mistake.</summary>
    internal static bool IsFailure(Outcome<HttpResponseMessage> outcome) =>
        outcome.Exception is HttpRequestException or Polly.Timeout.TimeoutRejectedException
        || outcome.Result is { StatusCode: >= HttpStatusCode.InternalServerError };

    private static string Describe(Outcome<HttpResponseMessage> outcome) =>
        outcome.Result is { } r ? $"HTTP {(int)r.StatusCode}" : outcome.Exception?.GetType().Name ?? "unknown";

    private static partial class Log
    {
        [LoggerMessage(EventId = 2101, Level = LogLevel.Information, Message = "Retrying a Letta request (attempt {Attempt}) after {Outcome}, in {DelayMs} ms")]
        public static partial void Retrying(ILogger logger, int attempt, string outcome, double delayMs);

        [LoggerMessage(EventId = 2102, Level = LogLevel.Warning, Message = "Letta keeps failing: circuit opened for {Seconds} s; new turns fail fast")]
        public static partial void BreakerOpened(ILogger logger, double seconds);

        [LoggerMessage(EventId = 2103, Level = LogLevel.Information, Message = "Letta answers again: circuit closed")]
        public static partial void BreakerClosed(ILogger logger);
    }
}
