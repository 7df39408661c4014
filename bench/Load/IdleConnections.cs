using System.Net;

namespace LettaSockets.Bench.Load;

/// <summary>
/// Many idle gateway connections: each read its <c>ready</c> frame and now waits in a receive (which
/// answers the gateway's keepalive pings) until closed. Client sockets are bound round-robin to
/// several loopback addresses, so ephemeral ports never run short.
/// </summary>
internal sealed class IdleConnections : IAsyncDisposable
{
    private const int BufferSize = 1024;
    private readonly List<(WsConnection Connection, Task Hold)> _held = [];
    private readonly CancellationTokenSource _stop = new();
    private int _closed;

    public int Held => _held.Count;

    public int Failed { get; private set; }

    public string? FirstError { get; private set; }

    /// <summary>Connections whose socket ended while they were supposed to be held.</summary>
    public int Closed => Volatile.Read(ref _closed);

    /// <summary>Held connections whose upgrade answer accepted permessage-deflate and whose <c>ready</c> came compressed.</summary>
    public int Compressed { get; private set; }

    /// <summary>The first held connection's <c>Sec-WebSocket-Extensions</c> answer, if any.</summary>
    public string? Extensions { get; private set; }

    public static Task<IdleConnections> OpenAsync(IPEndPoint gateway, int count, int firstSourceAddress, int sourceAddresses, TimeSpan perConnectionTimeout, CancellationToken cancellationToken) =>
        OpenAsync(gateway, count, firstSourceAddress, sourceAddresses, perConnectionTimeout, null, cancellationToken);

    /// <param name="extensions">A <c>Sec-WebSocket-Extensions</c> offer, e.g. <see cref="GatewayClient.DeflateOffer"/>; null = none.</param>
    public static async Task<IdleConnections> OpenAsync(IPEndPoint gateway, int count, int firstSourceAddress, int sourceAddresses, TimeSpan perConnectionTimeout, string? extensions, CancellationToken cancellationToken)
    {
        var idle = new IdleConnections();
        var results = new (WsConnection? Connection, string? Error)[count];
        await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 64, CancellationToken = cancellationToken }, async (i, ct) =>
        {
            var source = new IPAddress(new byte[] { 127, 0, 0, (byte)(firstSourceAddress + (i % sourceAddresses)) });
            using var timeout = CancellationTokenSource.CreateLinkedTokenSource(ct);
            timeout.CancelAfter(perConnectionTimeout);
            try
            {
                results[i] = (await GatewayClient.OpenAsync(gateway, source, BufferSize, extensions, 0, timeout.Token).ConfigureAwait(false), null);
            }
            catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
            {
                results[i] = (null, e is OperationCanceledException ? "timeout (no upgrade answer)" : $"{e.GetType().Name}: {e.Message}");
            }
        }).ConfigureAwait(false);

        foreach ((WsConnection? connection, string? error) in results)
        {
            if (connection is null)
            {
                idle.Failed++;
                idle.FirstError ??= error;
                continue;
            }

            idle.Extensions ??= connection.Extensions;
            if (connection.ReadyCompressed && connection.Extensions?.Contains("permessage-deflate", StringComparison.OrdinalIgnoreCase) == true)
            {
                idle.Compressed++;
            }

            idle._held.Add((connection, idle.HoldAsync(connection)));
        }

        return idle;
    }

    public async ValueTask DisposeAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        foreach ((WsConnection connection, _) in _held)
        {
            await connection.CloseAsync(timeout.Token).ConfigureAwait(false);
            connection.Dispose();
        }

        try
        {
            await Task.WhenAll(_held.Select(h => h.Hold)).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // The sockets are disposed; a hold loop still unwinding is not worth failing a run for.
        }

        _stop.Dispose();
    }

    private async Task HoldAsync(WsConnection connection)
    {
        await Task.Yield();
        try
        {
            while (!(await connection.ReceiveAsync(_stop.Token).ConfigureAwait(false)).IsClose)
            {
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or System.Net.Sockets.SocketException or InvalidDataException)
        {
        }

        if (!_stop.IsCancellationRequested)
        {
            Interlocked.Increment(ref _closed);
        }
    }
}
