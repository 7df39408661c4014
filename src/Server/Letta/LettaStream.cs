using System.Net.ServerSentEvents;
using System.Runtime.CompilerServices;

namespace LettaSockets.Server.Letta;

/// <summary>
/// An open SSE response from Letta. Events are parsed straight from the UTF-8 bytes; a silence
/// longer than the idle timeout (reset by every event, pings included) ends the read with
/// <c>upstream_timeout</c>, and a body that breaks off ends it with <c>upstream_unavailable</c>.
/// </summary>
public sealed class LettaStream : IAsyncDisposable
{
    private readonly HttpResponseMessage _response;
    private readonly TimeProvider _time;
    private readonly TimeSpan _idleTimeout;

    internal LettaStream(HttpResponseMessage response, TimeProvider time, TimeSpan idleTimeout)
    {
        _response = response;
        _time = time;
        _idleTimeout = idleTimeout;
    }

    public async IAsyncEnumerable<LettaEvent> ReadAsync([EnumeratorCancellation] CancellationToken cancellationToken)
    {
        using var idle = new CancellationTokenSource(_idleTimeout, _time);
        using var link = cancellationToken.UnsafeRegister(static s => ((CancellationTokenSource)s!).Cancel(), idle);
        Stream body = await _response.Content.ReadAsStreamAsync(idle.Token).ConfigureAwait(false);
        var parser = new LettaEventParser();
        var items = SseParser.Create(body, parser.Parse).EnumerateAsync(idle.Token).GetAsyncEnumerator(idle.Token);
        try
        {
            while (true)
            {
                bool more;
                try
                {
                    more = await items.MoveNextAsync().ConfigureAwait(false);
                }
                catch (OperationCanceledException) when (!cancellationToken.IsCancellationRequested)
                {
                    throw UpstreamErrors.Timeout($"Letta sent nothing for {_idleTimeout.TotalSeconds:0.#} s.");
                }
                catch (Exception e) when (e is IOException or HttpRequestException && !cancellationToken.IsCancellationRequested)
                {
                    throw UpstreamErrors.BrokenStream(e.GetType().Name);
                }

                if (!more)
                {
                    yield break;
                }

                idle.CancelAfter(_idleTimeout);
                yield return items.Current.Data;
            }
        }
        finally
        {
            await items.DisposeAsync().ConfigureAwait(false);
        }
    }

    public ValueTask DisposeAsync()
    {
        _response.Dispose();
        return ValueTask.CompletedTask;
    }
}
