using System.Net;
using LettaSockets.Simulator;

namespace LettaSockets.Bench.Load;

/// <summary>Turns against the gateway over <see cref="WsConnection"/>, one turn at a time per connection.</summary>
internal static class GatewayClient
{
    public static readonly string Path = "/ws/" + DemoAgents.BenchId;

    /// <summary>permessage-deflate offered as browsers do, with every message compressed on its own both ways.</summary>
    public const string DeflateOffer = "permessage-deflate; client_no_context_takeover; server_no_context_takeover";

    /// <summary>Connects and reads the <c>ready</c> frame.</summary>
    public static Task<WsConnection> OpenAsync(IPEndPoint gateway, IPAddress? source, int bufferSize, CancellationToken cancellationToken) =>
        OpenAsync(gateway, source, bufferSize, null, 0, cancellationToken);

    /// <summary>
    /// Connects with a <c>Sec-WebSocket-Extensions</c> offer (or none) and reads the <c>ready</c> frame,
    /// inflating it when the server compressed it; <see cref="WsConnection.ReadyCompressed"/> says whether it did.
    /// </summary>
    public static async Task<WsConnection> OpenAsync(IPEndPoint gateway, IPAddress? source, int bufferSize, string? extensions, int socketReceiveBuffer, CancellationToken cancellationToken)
    {
        WsConnection connection = await WsConnection.ConnectAsync(gateway, source, Path, bufferSize, extensions, socketReceiveBuffer, cancellationToken).ConfigureAwait(false);
        try
        {
            WsFrame ready = await connection.ReceiveAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySpan<byte> payload = ready.Compressed ? WsConnection.Inflate(ready.Payload.Span) : ready.Payload.Span;
            if (ready.IsClose || GatewayFrames.TypeOf(payload) != FrameType.Ready)
            {
                throw new InvalidOperationException("The gateway did not start with a ready frame.");
            }

            connection.ReadyCompressed = ready.Compressed;
            return connection;
        }
        catch
        {
            connection.Dispose();
            throw;
        }
    }

    public static async Task<IReadOnlyList<WsConnection>> OpenManyAsync(IPEndPoint gateway, int count, int bufferSize, CancellationToken cancellationToken)
    {
        var connections = new WsConnection[count];
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 32, CancellationToken = cancellationToken },
            async (i, ct) => connections[i] = await OpenAsync(gateway, null, bufferSize, ct).ConfigureAwait(false)).ConfigureAwait(false);
        return connections;
    }

    public static string MessageFrame(string id, string content) =>
        $$"""{"type":"message","id":"{{id}}","content":"{{content}}"}""";

    /// <summary>
    /// Sends a message and reads until its terminal frame. With <paramref name="samples"/>, every delta's
    /// latency after the first <paramref name="skip"/> is recorded; otherwise deltas are only counted.
    /// </summary>
    public static async Task<TurnResult> RunTurnAsync(WsConnection connection, string id, string content, LatencySamples? samples, int skip, CancellationToken cancellationToken)
    {
        await connection.SendTextAsync(MessageFrame(id, content), cancellationToken).ConfigureAwait(false);
        int chunks = 0;
        int frames = 0;
        while (true)
        {
            WsFrame frame = await connection.ReceiveAsync(cancellationToken).ConfigureAwait(false);
            if (frame.IsClose)
            {
                return new TurnResult(chunks, "closed", frames);
            }

            ReadOnlySpan<byte> payload = frame.Payload.Span;
            switch (GatewayFrames.TypeOf(payload))
            {
                case FrameType.Chunk when samples is null:
                    chunks += ChunkScanner.Count(payload);
                    frames++;
                    break;
                case FrameType.Chunk:
                    var carry = default(DigitCarry);
                    chunks += ChunkScanner.Scan(payload, connection.LastReceiveTimestamp, ref carry, ref skip, samples);
                    frames++;
                    break;
                case FrameType.Done:
                    return new TurnResult(chunks, null, frames);
                case FrameType.Error:
                    return new TurnResult(chunks, GatewayFrames.StringField(payload, "code") ?? "error", frames);
            }
        }
    }

    public static async Task CloseAllAsync(IEnumerable<WsConnection> connections)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        foreach (WsConnection connection in connections)
        {
            await connection.CloseAsync(timeout.Token).ConfigureAwait(false);
            connection.Dispose();
        }
    }
}
