using System.Net;
using System.Net.WebSockets;

namespace LettaSockets.Testing;

/// <summary>Attempts a WebSocket upgrade and reports the HTTP status the server answered before it
/// (101 when the upgrade happened), plus the response headers.</summary>
public static class UpgradeProbe
{
    public static async Task<(HttpStatusCode Status, IReadOnlyDictionary<string, IEnumerable<string>> Headers)> StatusAsync(Uri uri, Action<ClientWebSocketOptions>? configure = null)
    {
        using var socket = new ClientWebSocket();
        socket.Options.CollectHttpResponseDetails = true;
        configure?.Invoke(socket.Options);
        using var timeout = new CancellationTokenSource(TestClient.DefaultTimeout);
        try
        {
            await socket.ConnectAsync(uri, timeout.Token);
        }
        catch (WebSocketException)
        {
            // Refused before the upgrade: the status is what we came for.
        }

        var headers = socket.HttpResponseHeaders ?? new Dictionary<string, IEnumerable<string>>();
        if (socket.State == WebSocketState.Open)
        {
            socket.Abort();
        }

        return (socket.HttpStatusCode, headers.ToDictionary(h => h.Key, h => h.Value, StringComparer.OrdinalIgnoreCase));
    }

    /// <summary>The headers of a WebSocket upgrade request, for <see cref="GetAsync"/> (the body of a refusal is then readable).</summary>
    public static readonly (string Name, string Value)[] UpgradeHeaders =
    [
        ("Connection", "Upgrade"),
        ("Upgrade", "websocket"),
        ("Sec-WebSocket-Version", "13"),
        ("Sec-WebSocket-Key", "dGhlIHNhbXBsZSBub25jZQ=="),
    ];

    /// <summary>A plain GET with optional headers: status and the <c>error.code</c> of a JSON error body.</summary>
    public static async Task<(HttpStatusCode Status, string Body)> GetAsync(Uri baseUri, string path, params (string Name, string Value)[] headers)
    {
        using var http = new HttpClient { BaseAddress = baseUri, Timeout = TestClient.DefaultTimeout };
        using var request = new HttpRequestMessage(HttpMethod.Get, path);
        foreach ((string name, string value) in headers)
        {
            request.Headers.TryAddWithoutValidation(name, value);
        }

        using HttpResponseMessage response = await http.SendAsync(request);
        return (response.StatusCode, await response.Content.ReadAsStringAsync());
    }
}
