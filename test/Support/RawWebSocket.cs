using System.Buffers.Binary;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace LettaSockets.Testing;

/// <summary>
/// A WebSocket client written by hand over a <see cref="TcpClient"/>: it does the upgrade and sends
/// masked text frames, and it never answers pings — the peer a keepalive timeout must detect, which
/// <c>ClientWebSocket</c> cannot be made to be.
/// </summary>
public sealed class RawWebSocket : IAsyncDisposable
{
    private readonly TcpClient _tcp;
    private readonly NetworkStream _stream;

    private RawWebSocket(TcpClient tcp)
    {
        _tcp = tcp;
        _stream = tcp.GetStream();
    }

    public static async Task<RawWebSocket> ConnectAsync(Uri baseUri, string path, CancellationToken cancellationToken)
    {
        var tcp = new TcpClient();
        await tcp.ConnectAsync(baseUri.Host, baseUri.Port, cancellationToken);
        var socket = new RawWebSocket(tcp);
        string key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
        string request = $"GET {path} HTTP/1.1\r\nHost: {baseUri.Authority}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\nSec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n\r\n";
        await socket._stream.WriteAsync(Encoding.ASCII.GetBytes(request), cancellationToken);
        string head = await socket.ReadHeadAsync(cancellationToken);
        if (!head.StartsWith("HTTP/1.1 101", StringComparison.Ordinal))
        {
            throw new InvalidOperationException($"No upgrade: {head}");
        }

        return socket;
    }

    /// <summary>Sends one masked text frame (client frames must be masked, RFC 6455 §5.3).</summary>
    public async Task SendTextAsync(string text, CancellationToken cancellationToken)
    {
        byte[] payload = Encoding.UTF8.GetBytes(text);
        var frame = new List<byte> { 0x81 };
        if (payload.Length < 126)
        {
            frame.Add((byte)(0x80 | payload.Length));
        }
        else
        {
            frame.Add(0x80 | 126);
            frame.Add((byte)(payload.Length >> 8));
            frame.Add((byte)payload.Length);
        }

        byte[] mask = RandomNumberGenerator.GetBytes(4);
        frame.AddRange(mask);
        frame.AddRange(payload.Select((b, i) => (byte)(b ^ mask[i % 4])));
        await _stream.WriteAsync(frame.ToArray(), cancellationToken);
    }

    /// <summary>The next frame: opcode (1 text, 8 close, 9 ping …) and payload; null when the server
    /// closed or reset the connection.</summary>
    public async Task<(int Opcode, byte[] Payload)?> ReceiveAsync(CancellationToken cancellationToken)
    {
        try
        {
            byte[] header = new byte[2];
            if (!await ReadExactlyAsync(header, cancellationToken))
            {
                return null;
            }

            long length = header[1] & 0x7F;
            if (length >= 126)
            {
                byte[] extended = new byte[length == 126 ? 2 : 8];
                if (!await ReadExactlyAsync(extended, cancellationToken))
                {
                    return null;
                }

                length = extended.Length == 2 ? BinaryPrimitives.ReadUInt16BigEndian(extended) : (long)BinaryPrimitives.ReadUInt64BigEndian(extended);
            }

            byte[] payload = new byte[length];
            return await ReadExactlyAsync(payload, cancellationToken) ? (header[0] & 0x0F, payload) : null;
        }
        catch (IOException)
        {
            return null; // reset by the server
        }
    }

    public ValueTask DisposeAsync()
    {
        _tcp.Dispose();
        return ValueTask.CompletedTask;
    }

    private async Task<bool> ReadExactlyAsync(byte[] buffer, CancellationToken cancellationToken)
    {
        try
        {
            await _stream.ReadExactlyAsync(buffer, cancellationToken);
            return true;
        }
        catch (EndOfStreamException)
        {
            return false;
        }
    }

    private async Task<string> ReadHeadAsync(CancellationToken cancellationToken)
    {
        var head = new StringBuilder();
        byte[] one = new byte[1];
        while (!head.ToString().EndsWith("\r\n\r\n", StringComparison.Ordinal))
        {
            if (!await ReadExactlyAsync(one, cancellationToken))
            {
                break;
            }

            head.Append((char)one[0]);
        }

        return head.ToString();
    }
}
