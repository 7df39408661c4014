using System.Text.Json;
using Microsoft.Playwright;

namespace LettaSockets.Browser.Tests.Support;

/// <summary>
/// Every WebSocket frame the page sends and receives, in order, parsed, numbered by socket (the
/// page's first socket is 1; every later attempt, even one that fails, takes the next number).
/// Playwright reports frames as the browser sees them: the wire truth next to what the page renders.
/// </summary>
public sealed class SocketLog
{
    private readonly List<SocketFrame> _frames = [];
    private readonly List<(Func<SocketFrame, bool> Match, TaskCompletionSource<SocketFrame> Found)> _waiters = [];
    private int _sockets;

    public SocketLog(IPage page)
    {
        page.WebSocket += (_, socket) =>
        {
            int number = Interlocked.Increment(ref _sockets);
            socket.FrameSent += (_, frame) => Add(number, sent: true, frame.Text);
            socket.FrameReceived += (_, frame) => Add(number, sent: false, frame.Text);
        };
    }

    public IReadOnlyList<SocketFrame> Frames
    {
        get
        {
            lock (_frames)
            {
                return [.. _frames];
            }
        }
    }

    /// <summary>Completes with the first frame (seen already, or later) that matches.</summary>
    public Task<SocketFrame> WaitForAsync(Func<SocketFrame, bool> match, TimeSpan timeout)
    {
        var found = new TaskCompletionSource<SocketFrame>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_frames)
        {
            if (_frames.FirstOrDefault(match) is { } seen)
            {
                return Task.FromResult(seen);
            }

            _waiters.Add((match, found));
        }

        return found.Task.WaitAsync(timeout);
    }

    /// <summary>Waits for a frame of <paramref name="type"/> the page sent (or received).</summary>
    public Task<SocketFrame> WaitForAsync(string type, bool sent, TimeSpan timeout) =>
        WaitForAsync(f => f.Sent == sent && f.Type == type, timeout);

    private void Add(int socket, bool sent, string? text)
    {
        if (text is null)
        {
            return;
        }

        JsonElement json;
        try
        {
            json = JsonDocument.Parse(text).RootElement.Clone();
        }
        catch (JsonException)
        {
            return;
        }

        var frame = new SocketFrame(socket, sent, json);
        lock (_frames)
        {
            _frames.Add(frame);
            foreach (var waiter in _waiters.ToArray())
            {
                if (waiter.Match(frame))
                {
                    waiter.Found.TrySetResult(frame);
                    _waiters.Remove(waiter);
                }
            }
        }
    }
}

/// <summary>One frame on one of the page's sockets.</summary>
public sealed record SocketFrame(int Socket, bool Sent, JsonElement Json)
{
    public string? Type => String("type");

    public string? Id => String("id");

    public long? Seq => Long("seq");

    public string? String(string name) =>
        Json.ValueKind == JsonValueKind.Object && Json.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public long? Long(string name) =>
        Json.ValueKind == JsonValueKind.Object && Json.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.Number ? value.GetInt64() : null;

    public bool? Bool(string name) =>
        Json.ValueKind == JsonValueKind.Object && Json.TryGetProperty(name, out JsonElement value) && value.ValueKind is JsonValueKind.True or JsonValueKind.False ? value.GetBoolean() : null;

    public override string ToString() => $"#{Socket} {(Sent ? "→" : "←")} {Json.GetRawText()}";
}
