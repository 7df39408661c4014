using System.Net;
using System.Net.Http.Headers;
using LettaSockets.Protocol.Frames;

namespace LettaSockets.Server.Upstream;

/// <summary>Maps what Letta answered before a stream started to protocol error codes (docs/PROTOCOL.md, "Errors").</summary>
public static class UpstreamErrors
{
    public static UpstreamException FromStatus(HttpStatusCode status, HttpResponseHeaders headers, string? detail)
    {
        TimeSpan? retryAfter = RetryAfterOf(headers);
        int code = (int)status;
        (string error, string message, bool retryable, TimeSpan? wait) = code switch
        {
            401 or 403 => (ErrorCodes.UpstreamUnauthorized, "Letta refused the gateway's credentials. Check Letta:ApiKey on the server.", false, null),
            404 => (ErrorCodes.AgentNotFound, "Letta does not know this agent.", false, null),
            408 => (ErrorCodes.UpstreamTimeout, "Letta timed out answering the request.", true, retryAfter),
            409 => (ErrorCodes.Busy, "Letta says the agent is busy with another request.", true, retryAfter ?? TimeSpan.FromSeconds(1)),
            410 => (ErrorCodes.RunExpired, "The run has expired in Letta.", false, null),
            400 or 422 => (ErrorCodes.UpstreamRejected, "Letta rejected the request.", false, null),
            429 => (ErrorCodes.RateLimited, "Letta is rate limiting requests.", true, retryAfter ?? TimeSpan.FromSeconds(1)),
            >= 500 => (ErrorCodes.UpstreamUnavailable, $"Letta failed with HTTP {code}.", true, retryAfter),
            _ => (ErrorCodes.UpstreamRejected, $"Letta answered HTTP {code}.", false, (TimeSpan?)null),
        };
        return new UpstreamException(error, message, retryable, wait, detail) { StatusCode = code };
    }

    public static UpstreamException Unreachable(Exception inner) =>
        new(ErrorCodes.UpstreamUnavailable, "Letta cannot be reached.", true, null, inner.GetType().Name, inner);

    public static UpstreamException Timeout(string what) =>
        new(ErrorCodes.UpstreamTimeout, what, true);

    public static UpstreamException BrokenStream(string detail) =>
        new(ErrorCodes.UpstreamUnavailable, "Letta's stream broke off before the turn ended.", true, null, detail);

    public static TimeSpan? RetryAfterOf(HttpResponseHeaders headers)
    {
        if (headers.RetryAfter is { } retryAfter)
        {
            if (retryAfter.Delta is { } delta)
            {
                return delta;
            }

            if (retryAfter.Date is { } date)
            {
                TimeSpan wait = date - DateTimeOffset.UtcNow;
                return wait > TimeSpan.Zero ? wait : TimeSpan.Zero;
            }
        }

        // The SDKs also honour retry-after-ms (Letta docs: guides/agents/streaming).
        if (headers.TryGetValues("retry-after-ms", out var values) && double.TryParse(values.FirstOrDefault(), out double ms) && ms >= 0)
        {
            return TimeSpan.FromMilliseconds(ms);
        }

        return null;
    }
}
