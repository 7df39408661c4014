using System.Text;
using System.Text.Json;
using LettaSockets.Protocol.Json;

namespace LettaSockets.Testing;

/// <summary>One <c>POST /stream</c> read event by event from the raw bytes (nothing parsed away),
/// every read bounded by a timeout; <see cref="Abort"/> cancels the request mid-stream.</summary>
public sealed class SseCall : IAsyncDisposable
{
    private readonly HttpClient _http;
    private readonly CancellationTokenSource _request;
    private readonly Stream _body;
    private readonly MemoryStream _raw = new();
    private readonly byte[] _buffer = new byte[16 * 1024];
    private int _consumed;

    private SseCall(HttpClient http, CancellationTokenSource request, HttpResponseMessage response, Stream body)
    {
        _http = http;
        _request = request;
        Response = response;
        _body = body;
    }

    public HttpResponseMessage Response { get; }

    /// <summary>Every byte of the body read so far.</summary>
    public string RawText => Encoding.UTF8.GetString(_raw.GetBuffer(), 0, (int)_raw.Length);

    public static async Task<SseCall> PostAsync(Uri baseUri, string json)
    {
        var http = new HttpClient { BaseAddress = baseUri, Timeout = Timeout.InfiniteTimeSpan };
        var request = new CancellationTokenSource();
        using var timeout = new CancellationTokenSource(TestClient.DefaultTimeout);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(request.Token, timeout.Token);
        var message = new HttpRequestMessage(HttpMethod.Post, "/stream") { Content = new StringContent(json, Encoding.UTF8, "application/json") };
        HttpResponseMessage response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, linked.Token);
        Stream body = await response.Content.ReadAsStreamAsync(linked.Token);
        return new SseCall(http, request, response, body);
    }

    public static Task<SseCall> PostAsync(Uri baseUri, string agentId, string message) =>
        PostAsync(baseUri, JsonSerializer.Serialize(new { agent_id = agentId, message }));

    /// <summary>The next event exactly as sent (<c>data: …\n\n</c>), or null at the end of the body.</summary>
    public async Task<string?> ReadEventAsync(TimeSpan? timeout = null)
    {
        using var cts = new CancellationTokenSource(timeout ?? TestClient.DefaultTimeout);
        while (true)
        {
            string text = RawText;
            int end = text.IndexOf("\n\n", _consumed, StringComparison.Ordinal);
            if (end >= 0)
            {
                string ev = text[_consumed..(end + 2)];
                _consumed = end + 2;
                return ev;
            }

            int read;
            try
            {
                read = await _body.ReadAsync(_buffer, cts.Token);
            }
            catch (OperationCanceledException) when (cts.IsCancellationRequested)
            {
                throw new AssertFailedException($"No SSE event within {(timeout ?? TestClient.DefaultTimeout).TotalSeconds} s; got so far: {RawText}");
            }

            if (read == 0)
            {
                Assert.AreEqual(_consumed, RawText.Length, "the body ends on an event boundary");
                return null;
            }

            _raw.Write(_buffer, 0, read);
        }
    }

    /// <summary>Reads every remaining event until the body ends.</summary>
    public async Task<List<string>> ReadToEndAsync(TimeSpan? timeout = null)
    {
        var events = new List<string>();
        while (await ReadEventAsync(timeout) is { } ev)
        {
            events.Add(ev);
        }

        return events;
    }

    /// <summary>The JSON of a <c>data: …\n\n</c> event, as a frame.</summary>
    public static ServerFrame Frame(string ev)
    {
        Assert.IsTrue(ev.StartsWith("data: ", StringComparison.Ordinal) && ev.EndsWith("\n\n", StringComparison.Ordinal), $"an SSE data event: {ev}");
        return ServerFrame.Parse(ev["data: ".Length..^2]);
    }

    /// <summary>Cancels the HTTP request mid-stream, as a client that goes away does.</summary>
    public void Abort()
    {
        _request.Cancel();
        Response.Dispose();
    }

    public ValueTask DisposeAsync()
    {
        Response.Dispose();
        _request.Dispose();
        _http.Dispose();
        return ValueTask.CompletedTask;
    }
}
