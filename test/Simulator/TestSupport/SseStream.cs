namespace LettaSockets.Simulator.Tests.TestSupport;

/// <summary>
/// Reads a raw SSE body line by line, keeping every byte visible to assertions (spacing, order, junk lines).
/// Every read is bounded by <see cref="SimTest.Timeout"/>.
/// </summary>
internal sealed class SseStream(HttpResponseMessage response, Stream body) : IAsyncDisposable
{
    private readonly StreamReader _reader = new(body);

    public HttpResponseMessage Response { get; } = response;

    /// <summary>The next event, or null at EOF.</summary>
    public async Task<SseEvent?> ReadEventAsync(TimeSpan? timeout = null)
    {
        var lines = new List<string>();
        string? name = null;
        var data = new List<string>();
        while (true)
        {
            var line = await _reader.ReadLineAsync().WaitAsync(timeout ?? SimTest.Timeout);
            if (line is null)
            {
                return lines.Count == 0 ? null : new SseEvent(name, string.Join("\n", data), lines);
            }

            if (line.Length == 0)
            {
                if (lines.Count == 0)
                {
                    continue;
                }

                return new SseEvent(name, string.Join("\n", data), lines);
            }

            lines.Add(line);
            if (line.StartsWith("event: ", StringComparison.Ordinal))
            {
                name = line["event: ".Length..];
            }
            else if (line.StartsWith("data: ", StringComparison.Ordinal))
            {
                data.Add(line["data: ".Length..]);
            }
        }
    }

    /// <summary>Events until EOF.</summary>
    public async Task<List<SseEvent>> ReadToEndAsync()
    {
        var events = new List<SseEvent>();
        while (await ReadEventAsync() is { } next)
        {
            events.Add(next);
        }

        return events;
    }

    /// <summary>Reads until <paramref name="match"/> (inclusive), returning everything read.</summary>
    public async Task<List<SseEvent>> ReadUntilAsync(Func<SseEvent, bool> match)
    {
        var events = new List<SseEvent>();
        while (true)
        {
            var next = await ReadEventAsync() ?? throw new AssertFailedException(
                "The stream ended before the expected event. Got: " + string.Join(" | ", events));
            events.Add(next);
            if (match(next))
            {
                return events;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        _reader.Dispose();
        await body.DisposeAsync();
        Response.Dispose();
    }
}
