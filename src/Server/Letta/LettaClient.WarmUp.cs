using LettaSockets.Protocol.Frames;
using LettaSockets.Server.Upstream;

namespace LettaSockets.Server.Letta;

/// <summary>The start-up warm-up of the upstream pool (<see cref="LettaConnectionWarmUp"/> calls it).</summary>
public sealed partial class LettaClient
{
    /// <summary>The warm-up's reason when its bound (or the host's stop) ended an attempt.</summary>
    private const string WarmUpTimedOut = "timeout";

    /// <summary>
    /// Opens <paramref name="connections"/> pooled connections to Letta before the first turns need them, with
    /// readiness requests (<c>GET /v1/agents?limit=1</c>, outside the circuit breaker). One goes first: only if
    /// Letta answers it do the others go, all at once, and none of them reads its answer before all have their
    /// headers, so that no two share a connection (a connection is busy until its answer is read); then each is
    /// read to its end and its connection goes back to the pool idle. A Letta that is down costs one request
    /// (and its retries), and a name that does not resolve is looked up once, not once per connection
    /// (concurrent failing look-ups of one name took 5 s for 32 here, against 23 ms for one). Returns how many
    /// connections were opened, and the first failure's reason (a status or an error code, never a header).
    /// Never throws for an upstream failure.
    /// </summary>
    public async Task<(int Opened, string? Failure)> WarmUpAsync(int connections, CancellationToken cancellationToken)
    {
        Uri url = await endpoint.UrlAsync(ProbePath, cancellationToken).ConfigureAwait(false);
        (HttpResponseMessage? first, string? refused) = await WarmRequestAsync(url, cancellationToken).ConfigureAwait(false);
        if (first is not null)
        {
            refused = await ReadWarmAnswerAsync(first, cancellationToken).ConfigureAwait(false);
        }

        if (refused is not null)
        {
            return (0, refused);
        }

        var requests = new Task<(HttpResponseMessage? Response, string? Failure)>[connections];
        for (int i = 0; i < connections; i++)
        {
            requests[i] = WarmRequestAsync(url, cancellationToken);
        }

        (HttpResponseMessage? Response, string? Failure)[] answered = await Task.WhenAll(requests).ConfigureAwait(false);
        string?[] read = await Task.WhenAll(answered.Select(a => a.Response is { } r ? ReadWarmAnswerAsync(r, cancellationToken) : Task.FromResult(a.Failure))).ConfigureAwait(false);
        return (read.Count(f => f is null), read.FirstOrDefault(f => f is not null));
    }

    private async Task<(HttpResponseMessage? Response, string? Failure)> WarmRequestAsync(Uri url, CancellationToken cancellationToken)
    {
        try
        {
            HttpResponseMessage response = await SendProbeAsync(url, cancellationToken).ConfigureAwait(false);
            if (response.IsSuccessStatusCode)
            {
                return (response, null);
            }

            response.Dispose();
            return (null, $"HTTP {(int)response.StatusCode}");
        }
        catch (UpstreamException e)
        {
            return (null, e.Code);
        }
        catch (OperationCanceledException)
        {
            return (null, WarmUpTimedOut);
        }
    }

    /// <summary>The readiness probe's request, which the warm-up sends too: cheap, authenticated, outside the
    /// circuit breaker (whose state readiness reports on its own). Throws <see cref="UpstreamException"/>.</summary>
    private async Task<HttpResponseMessage> SendProbeAsync(Uri url, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Get, url);
        message.Options.Set(Resilience.LettaResilience.BypassBreaker, true);
        AddHeaders(message);
        return await SendAsync(message, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Reads a warm-up answer to its end, which gives its connection back to the pool; null when it could.</summary>
    private static async Task<string?> ReadWarmAnswerAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        using (response)
        {
            try
            {
                await response.Content.LoadIntoBufferAsync(cancellationToken).ConfigureAwait(false);
                return null;
            }
            catch (OperationCanceledException)
            {
                return WarmUpTimedOut;
            }
            catch (HttpRequestException)
            {
                return ErrorCodes.UpstreamUnavailable; // the answer's body broke off
            }
        }
    }
}
