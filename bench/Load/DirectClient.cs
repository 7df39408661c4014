using System.Diagnostics;
using System.Net.Http.Headers;
using System.Text;
using LettaSockets.Simulator;

namespace LettaSockets.Bench.Load;

/// <summary>
/// The floor: the same load generator reading the simulator's SSE itself, with the body the gateway
/// sends (token streaming, pings), and no work per event beyond finding the deltas in the raw bytes.
/// </summary>
internal sealed class DirectClient : IDisposable
{
    private static readonly MediaTypeWithQualityHeaderValue EventStream = new("text/event-stream");
    private readonly HttpClient _http;
    private readonly Uri _messages;

    public DirectClient(Uri simulator)
    {
        _http = new HttpClient(new SocketsHttpHandler
        {
            UseProxy = false,
            MaxConnectionsPerServer = int.MaxValue,
            PooledConnectionLifetime = Timeout.InfiniteTimeSpan,
            AutomaticDecompression = System.Net.DecompressionMethods.None,
        })
        { Timeout = Timeout.InfiniteTimeSpan };
        _messages = new Uri(simulator, $"v1/agents/{DemoAgents.BenchId}/messages");
    }

    public async Task<TurnResult> RunTurnAsync(string content, byte[] buffer, LatencySamples? samples, int skip, CancellationToken cancellationToken)
    {
        string body = $$"""{"messages":[{"type":"message","role":"user","content":"{{content}}","otid":"{{Guid.NewGuid()}}"}],"streaming":true,"stream_tokens":true,"include_pings":true}""";
        using var request = new HttpRequestMessage(HttpMethod.Post, _messages)
        {
            Content = new ByteArrayContent(Encoding.UTF8.GetBytes(body)) { Headers = { ContentType = new MediaTypeHeaderValue("application/json") } },
        };
        request.Headers.Accept.Add(EventStream);
        using HttpResponseMessage response = await _http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            return new TurnResult(0, $"http_{(int)response.StatusCode}");
        }

        await using Stream stream = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        int chunks = 0;
        var carry = default(DigitCarry);
        int read;
        while ((read = await stream.ReadAsync(buffer, cancellationToken).ConfigureAwait(false)) > 0)
        {
            if (samples is null)
            {
                chunks += ChunkScanner.Count(buffer.AsSpan(0, read));
            }
            else
            {
                chunks += ChunkScanner.Scan(buffer.AsSpan(0, read), Stopwatch.GetTimestamp(), ref carry, ref skip, samples);
            }
        }

        return new TurnResult(chunks, null);
    }

    public void Dispose() => _http.Dispose();
}
