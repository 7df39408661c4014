using System.Buffers.Binary;
using System.Diagnostics;
using System.IO.Compression;
using System.Net;
using System.Net.Sockets;
using System.Security.Cryptography;
using System.Text;

namespace LettaSockets.Bench.Load;

/// <summary>
/// A minimal WebSocket client (RFC 6455) over a raw socket: a hand-written upgrade, unmasked server
/// frames parsed in place from one receive buffer, masked client frames. It does just what the load
/// generator needs and as little work as possible per byte: frames are handed out as spans into the
/// buffer, pings are answered, and <see cref="LastReceiveTimestamp"/> is taken once per socket read.
/// One task at a time may use a connection. It can offer permessage-deflate (RFC 7692) and tells
/// compressed server frames apart (<see cref="WsFrame.Compressed"/>); <see cref="Inflate"/> reads one
/// when the server compresses every message on its own (<c>server_no_context_takeover</c>).
/// </summary>
internal sealed class WsConnection : IDisposable
{
    private static readonly byte[] HeaderEnd = "\r\n\r\n"u8.ToArray();

    // RFC 7692 §7.2.2: the sender removed the empty stored block (00 00 FF FF) that ends a message;
    // put it back, then end the DEFLATE stream with an empty final stored block.
    private static readonly byte[] MessageTail = [0x00, 0x00, 0xFF, 0xFF, 0x01, 0x00, 0x00, 0xFF, 0xFF];
    private readonly Socket _socket;
    private byte[] _buffer;
    private int _start;
    private int _end;
    private int _consumed;

    private WsConnection(Socket socket, byte[] buffer)
    {
        _socket = socket;
        _buffer = buffer;
    }

    /// <summary><see cref="Stopwatch.GetTimestamp"/> right after the socket read that delivered the current frame.</summary>
    public long LastReceiveTimestamp { get; private set; }

    /// <summary>The server's <c>Sec-WebSocket-Extensions</c> answer, or null when it accepted none.</summary>
    public string? Extensions { get; private set; }

    /// <summary>Whether the server's first message (the gateway's <c>ready</c>) came compressed (RSV1).</summary>
    public bool ReadyCompressed { get; set; }

    /// <param name="extensions">A <c>Sec-WebSocket-Extensions</c> offer (e.g. permessage-deflate), or null.</param>
    /// <param name="socketReceiveBuffer">The socket's <c>SO_RCVBUF</c> before connecting (0 = the kernel's
    /// autotuned default): a small one keeps a reader that stops reading from hiding megabytes in its kernel.</param>
    public static async Task<WsConnection> ConnectAsync(IPEndPoint server, IPAddress? source, string path, int bufferSize, string? extensions, int socketReceiveBuffer, CancellationToken cancellationToken)
    {
        var socket = new Socket(AddressFamily.InterNetwork, SocketType.Stream, ProtocolType.Tcp) { NoDelay = true };
        try
        {
            if (socketReceiveBuffer > 0)
            {
                socket.ReceiveBufferSize = socketReceiveBuffer;
            }

            if (source is not null)
            {
                socket.Bind(new IPEndPoint(source, 0));
            }

            await socket.ConnectAsync(server, cancellationToken).ConfigureAwait(false);
            string key = Convert.ToBase64String(RandomNumberGenerator.GetBytes(16));
            byte[] request = Encoding.ASCII.GetBytes(
                $"GET {path} HTTP/1.1\r\nHost: {server}\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n" +
                $"Sec-WebSocket-Key: {key}\r\nSec-WebSocket-Version: 13\r\n" +
                (extensions is null ? "" : $"Sec-WebSocket-Extensions: {extensions}\r\n") + "\r\n");
            await socket.SendAsync(request, SocketFlags.None, cancellationToken).ConfigureAwait(false);

            var connection = new WsConnection(socket, new byte[Math.Max(bufferSize, 1024)]);
            await connection.ReadUpgradeAsync(key, cancellationToken).ConfigureAwait(false);
            return connection;
        }
        catch
        {
            socket.Dispose();
            throw;
        }
    }

    /// <summary>
    /// The next text (or close) frame; its payload stays valid until the next call. Pings are answered
    /// on the way. Returns <see cref="WsFrame.Closed"/> when the server closed or the socket ended.
    /// </summary>
    public async ValueTask<WsFrame> ReceiveAsync(CancellationToken cancellationToken)
    {
        _start += _consumed;
        _consumed = 0;
        while (true)
        {
            if (TryParse(out WsFrame frame, out int length))
            {
                if (frame.Opcode == WsOpcode.Ping)
                {
                    byte[] pong = frame.Payload.ToArray();
                    _start += length;
                    await SendAsync(WsOpcode.Pong, pong, cancellationToken).ConfigureAwait(false);
                    continue;
                }

                if (frame.Opcode == WsOpcode.Pong)
                {
                    _start += length;
                    continue;
                }

                _consumed = length;
                return frame;
            }

            if (!await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                return WsFrame.Closed;
            }
        }
    }

    /// <summary>The payload of a compressed message, inflated (each message compressed on its own).</summary>
    public static byte[] Inflate(ReadOnlySpan<byte> payload)
    {
        byte[] input = new byte[payload.Length + MessageTail.Length];
        payload.CopyTo(input);
        MessageTail.CopyTo(input, payload.Length);
        using var deflate = new DeflateStream(new MemoryStream(input), CompressionMode.Decompress);
        using var output = new MemoryStream();
        deflate.CopyTo(output);
        return output.ToArray();
    }

    public ValueTask SendTextAsync(string text, CancellationToken cancellationToken) =>
        SendAsync(WsOpcode.Text, Encoding.UTF8.GetBytes(text), cancellationToken);

    /// <summary>Sends a close frame (1000) without waiting for the answer.</summary>
    public async ValueTask CloseAsync(CancellationToken cancellationToken)
    {
        try
        {
            await SendAsync(WsOpcode.Close, [0x03, 0xE8], cancellationToken).ConfigureAwait(false);
            _socket.Shutdown(SocketShutdown.Send);
        }
        catch (Exception e) when (e is SocketException or ObjectDisposedException or OperationCanceledException)
        {
        }
    }

    public void Dispose() => _socket.Dispose();

    private async ValueTask SendAsync(WsOpcode opcode, byte[] payload, CancellationToken cancellationToken)
    {
        int header = payload.Length < 126 ? 2 : payload.Length <= ushort.MaxValue ? 4 : 10;
        byte[] frame = new byte[header + 4 + payload.Length];
        frame[0] = (byte)(0x80 | (int)opcode);
        if (header == 2)
        {
            frame[1] = (byte)(0x80 | payload.Length);
        }
        else if (header == 4)
        {
            frame[1] = 0x80 | 126;
            BinaryPrimitives.WriteUInt16BigEndian(frame.AsSpan(2), (ushort)payload.Length);
        }
        else
        {
            frame[1] = 0x80 | 127;
            BinaryPrimitives.WriteUInt64BigEndian(frame.AsSpan(2), (ulong)payload.Length);
        }

        Span<byte> mask = frame.AsSpan(header, 4);
        RandomNumberGenerator.Fill(mask);
        for (int i = 0; i < payload.Length; i++)
        {
            frame[header + 4 + i] = (byte)(payload[i] ^ mask[i & 3]);
        }

        await _socket.SendAsync(frame, SocketFlags.None, cancellationToken).ConfigureAwait(false);
    }

    private bool TryParse(out WsFrame frame, out int length)
    {
        frame = default;
        length = 0;
        ReadOnlySpan<byte> data = _buffer.AsSpan(_start, _end - _start);
        if (data.Length < 2)
        {
            return false;
        }

        if ((data[0] & 0x80) == 0 || (data[1] & 0x80) != 0)
        {
            throw new InvalidDataException("Fragmented or masked server frames are not expected from the gateway.");
        }

        int header = 2;
        long payload = data[1] & 0x7F;
        if (payload == 126)
        {
            if (data.Length < 4)
            {
                return false;
            }

            payload = BinaryPrimitives.ReadUInt16BigEndian(data[2..]);
            header = 4;
        }
        else if (payload == 127)
        {
            if (data.Length < 10)
            {
                return false;
            }

            payload = (long)BinaryPrimitives.ReadUInt64BigEndian(data[2..]);
            header = 10;
        }

        if (header + payload > data.Length)
        {
            EnsureRoom(header + (int)payload);
            return false;
        }

        length = header + (int)payload;
        frame = new WsFrame((WsOpcode)(data[0] & 0x0F), _buffer.AsMemory(_start + header, (int)payload), Compressed: (data[0] & 0x40) != 0);
        return true;
    }

    /// <summary>Makes the buffer able to hold a whole frame of <paramref name="size"/> bytes from <see cref="_start"/>.</summary>
    private void EnsureRoom(int size)
    {
        if (_buffer.Length - _start >= size)
        {
            return;
        }

        byte[] target = size > _buffer.Length ? new byte[Math.Max(size, _buffer.Length * 2)] : _buffer;
        Buffer.BlockCopy(_buffer, _start, target, 0, _end - _start);
        _end -= _start;
        _start = 0;
        _buffer = target;
    }

    private async ValueTask<bool> FillAsync(CancellationToken cancellationToken)
    {
        if (_start == _end)
        {
            _start = _end = 0;
        }
        else if (_end == _buffer.Length)
        {
            // A partial frame at the end: move it to the front, or grow when it fills the buffer.
            int pending = _end - _start;
            byte[] target = pending == _buffer.Length ? new byte[_buffer.Length * 2] : _buffer;
            Buffer.BlockCopy(_buffer, _start, target, 0, pending);
            _buffer = target;
            _start = 0;
            _end = pending;
        }

        int read;
        try
        {
            read = await _socket.ReceiveAsync(_buffer.AsMemory(_end), SocketFlags.None, cancellationToken).ConfigureAwait(false);
        }
        catch (SocketException)
        {
            return false;
        }

        LastReceiveTimestamp = Stopwatch.GetTimestamp();
        _end += read;
        return read > 0;
    }

    private async Task ReadUpgradeAsync(string key, CancellationToken cancellationToken)
    {
        while (true)
        {
            int end = _buffer.AsSpan(0, _end).IndexOf(HeaderEnd);
            if (end >= 0)
            {
                string head = Encoding.ASCII.GetString(_buffer, 0, end);
                if (!head.StartsWith("HTTP/1.1 101", StringComparison.Ordinal))
                {
                    throw new InvalidOperationException($"The upgrade was refused: {head.Split('\r')[0]}");
                }

                string expected = Convert.ToBase64String(SHA1.HashData(Encoding.ASCII.GetBytes(key + "258EAFA5-E914-47DA-95CA-C5AB0DC85B11")));
                if (!head.Contains("Sec-WebSocket-Accept: " + expected, StringComparison.OrdinalIgnoreCase))
                {
                    throw new InvalidOperationException("The upgrade answer has a wrong Sec-WebSocket-Accept.");
                }

                foreach (string line in head.Split("\r\n"))
                {
                    if (line.StartsWith("Sec-WebSocket-Extensions:", StringComparison.OrdinalIgnoreCase))
                    {
                        Extensions = line["Sec-WebSocket-Extensions:".Length..].Trim();
                    }
                }

                _start = end + HeaderEnd.Length;
                return;
            }

            if (_end == _buffer.Length || !await FillAsync(cancellationToken).ConfigureAwait(false))
            {
                throw new InvalidOperationException("The server closed during the upgrade.");
            }
        }
    }
}

internal enum WsOpcode : byte
{
    Continuation = 0,
    Text = 1,
    Binary = 2,
    Close = 8,
    Ping = 9,
    Pong = 10,
}

/// <summary>One server frame; <see cref="Payload"/> points into the connection's buffer.
/// <see cref="Compressed"/>: RSV1, a permessage-deflate message (see <see cref="WsConnection.Inflate"/>).</summary>
internal readonly record struct WsFrame(WsOpcode Opcode, ReadOnlyMemory<byte> Payload, bool Compressed = false)
{
    public static WsFrame Closed => new(WsOpcode.Close, ReadOnlyMemory<byte>.Empty);

    public bool IsClose => Opcode == WsOpcode.Close;
}
