using System.Buffers;
using System.Net.ServerSentEvents;

namespace LettaSockets.Server.Letta;

/// <summary>
/// The server-sent events grammar (WHATWG HTML, "parsing an event stream"; the same results as
/// <see cref="SseParser"/>, which a differential test checks) over bytes the caller reads itself: it
/// reads into <see cref="GetReadSpace"/>, reports the count with <see cref="Advance"/> (0 at the end of
/// the stream) and takes events with <see cref="TryRead"/> until that says no. The caller's read loop
/// is the only asynchronous code, so nothing is allocated per read or per event beyond what the item
/// parser makes, and one read takes up to <see cref="BufferSize"/> bytes (tens of events at full
/// speed). <see cref="SseParser"/> reads 1 KiB at a time through an async helper whose state is
/// allocated whenever a read has to wait, which at low rates is every event.
/// </summary>
internal sealed class SseEventReader<T> : IDisposable
{
    /// <summary>The read buffer's size; a longer line grows it (doubling).</summary>
    public const int BufferSize = 16 * 1024;

    /// <summary>Below this much free room the unread bytes move to the front (or the buffer grows) before a read.</summary>
    private const int MinimumRead = 2 * 1024;

    /// <summary>An event's data copy larger than this is given back after the event (typical events are far smaller).</summary>
    private const int DataKept = 4 * 1024;

    private const byte CR = (byte)'\r';
    private const byte LF = (byte)'\n';

    private readonly SseItemParser<T> _parse;
    private byte[] _buffer = []; // rented by the first GetReadSpace
    private int _start; // first unread byte
    private int _end; // one past the last byte read
    private int _scanned; // bytes before this index (from _start) hold no line end
    private byte[]? _data;
    private int _dataLength;
    private bool _hasData;
    private string _eventType = SseParser.EventTypeDefault;
    private bool _bomChecked;
    private bool _disposed;

    public SseEventReader(SseItemParser<T> parse) => _parse = parse;

    /// <summary>True once the stream ended: what <see cref="TryRead"/> no longer returns is an incomplete event, discarded.</summary>
    public bool Ended { get; private set; }

    /// <summary>Where the next read goes, at least <see cref="MinimumRead"/> bytes: what is unread moves to the front first, or into a larger buffer.</summary>
    public Memory<byte> GetReadSpace()
    {
        if (_start == _end)
        {
            _start = _end = _scanned = 0;
            if (_buffer.Length == 0)
            {
                _buffer = ArrayPool<byte>.Shared.Rent(BufferSize); // given back by ReleaseBuffers while the stream waited
            }
            else if (_buffer.Length > BufferSize)
            {
                // Everything read was consumed: a buffer grown for one large event goes back to the pool.
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = ArrayPool<byte>.Shared.Rent(BufferSize);
            }
        }
        else if (_buffer.Length - _end < MinimumRead)
        {
            int unread = _end - _start;
            if (_start > 0 && _buffer.Length - unread >= MinimumRead)
            {
                _buffer.AsSpan(_start, unread).CopyTo(_buffer);
            }
            else
            {
                byte[] larger = ArrayPool<byte>.Shared.Rent(_buffer.Length * 2);
                _buffer.AsSpan(_start, unread).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(_buffer);
                _buffer = larger;
            }

            _scanned -= _start;
            _start = 0;
            _end = unread;
        }

        return _buffer.AsMemory(_end);
    }

    /// <summary>True when every byte read so far has been parsed: the next read can start from an empty buffer.</summary>
    public bool Drained => _start == _end;

    /// <summary>
    /// Gives the read buffer back to the pool while nothing read is unparsed, and the event data copy while no
    /// event is half read, so a stream that waits for its next event holds neither (the caller waits with a
    /// zero-byte read first). <see cref="GetReadSpace"/> rents again.
    /// </summary>
    public void ReleaseBuffers()
    {
        if (_start == _end && _buffer.Length != 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
            _buffer = [];
            _start = _end = _scanned = 0;
        }

        if (!_hasData && _data is not null)
        {
            ArrayPool<byte>.Shared.Return(_data);
            _data = null;
        }
    }

    /// <summary>Bytes of pooled arrays the reader holds now (read buffer and data copy).</summary>
    internal int HeldBytes => _buffer.Length + (_data?.Length ?? 0);

    /// <summary>Counts <paramref name="count"/> bytes read into <see cref="GetReadSpace"/>; 0 is the end of the stream.</summary>
    public void Advance(int count)
    {
        if (count == 0)
        {
            Ended = true;
        }
        else
        {
            _end += count;
        }
    }

    /// <summary>The next complete event, if the bytes read so far hold one.</summary>
    public bool TryRead(out T item)
    {
        item = default!;
        if (!_bomChecked && !SkipByteOrderMark())
        {
            return false;
        }

        while (NextLine(out int lineEnd, out int terminator))
        {
            ReadOnlySpan<byte> line = _buffer.AsSpan(_start, lineEnd - _start);
            bool dispatched = Process(line, out item);
            _start = lineEnd + terminator;
            _scanned = _start;
            if (dispatched)
            {
                return true;
            }
        }

        return false;
    }

    public void Dispose()
    {
        if (_disposed)
        {
            return;
        }

        _disposed = true;
        if (_buffer.Length != 0)
        {
            ArrayPool<byte>.Shared.Return(_buffer);
        }

        if (_data is not null)
        {
            ArrayPool<byte>.Shared.Return(_data);
        }
    }

    /// <summary>A UTF-8 byte order mark may open the stream; false while fewer than its three bytes are in.</summary>
    private bool SkipByteOrderMark()
    {
        ReadOnlySpan<byte> bom = [0xEF, 0xBB, 0xBF];
        if (_end - _start < bom.Length && !Ended)
        {
            return false;
        }

        if (_buffer.AsSpan(_start, _end - _start).StartsWith(bom))
        {
            _start += bom.Length;
            _scanned = _start;
        }

        _bomChecked = true;
        return true;
    }

    /// <summary>Finds the next line end (CR, LF or CRLF). A CR as the last byte read waits for the next
    /// byte (it may be a CRLF), unless the stream has ended.</summary>
    private bool NextLine(out int lineEnd, out int terminator)
    {
        int from = Math.Max(_start, _scanned);
        int found = _buffer.AsSpan(from, _end - from).IndexOfAny(CR, LF);
        if (found < 0)
        {
            _scanned = _end;
            lineEnd = terminator = 0;
            return false;
        }

        lineEnd = from + found;
        if (_buffer[lineEnd] == LF)
        {
            terminator = 1;
            return true;
        }

        if (lineEnd + 1 < _end)
        {
            terminator = _buffer[lineEnd + 1] == LF ? 2 : 1;
            return true;
        }

        terminator = 1;
        _scanned = lineEnd; // look at this CR again once the next byte is in
        return Ended;
    }

    /// <summary>One line of the event stream; true when it was the blank line that ends an event with data.</summary>
    private bool Process(ReadOnlySpan<byte> line, out T item)
    {
        item = default!;
        if (line.IsEmpty)
        {
            if (!_hasData)
            {
                return false;
            }

            item = _parse(_eventType, _data.AsSpan(0, _dataLength));
            _eventType = SseParser.EventTypeDefault;
            _dataLength = 0;
            _hasData = false;
            if (_data!.Length > DataKept)
            {
                // A large event's copy goes back to the pool at once: a stream that waits (backpressure) after
                // a 64 Ki-character delta does not hold that delta's bytes twice.
                ArrayPool<byte>.Shared.Return(_data);
                _data = null;
            }

            return true;
        }

        int colon = line.IndexOf((byte)':');
        ReadOnlySpan<byte> field = colon < 0 ? line : line[..colon];
        ReadOnlySpan<byte> value = colon < 0 ? default : line[(colon + 1)..];
        if (!value.IsEmpty && value[0] == (byte)' ')
        {
            value = value[1..];
        }

        if (field.SequenceEqual("data"u8))
        {
            AppendData(value);
        }
        else if (field.SequenceEqual("event"u8))
        {
            _eventType = EventType(value);
        }

        // "id" and "retry" matter to a client that reconnects by itself; the gateway resumes by Letta's
        // own cursors. A line starting with a colon (a comment) has an empty field name and is ignored too.
        return false;
    }

    private void AppendData(ReadOnlySpan<byte> value)
    {
        int needed = _dataLength + value.Length + 1;
        if (_data is null || _data.Length < needed)
        {
            byte[] larger = ArrayPool<byte>.Shared.Rent(Math.Max(needed, 1024));
            if (_data is not null)
            {
                _data.AsSpan(0, _dataLength).CopyTo(larger);
                ArrayPool<byte>.Shared.Return(_data);
            }

            _data = larger;
        }

        if (_hasData)
        {
            _data[_dataLength++] = LF;
        }

        value.CopyTo(_data.AsSpan(_dataLength));
        _dataLength += value.Length;
        _hasData = true;
    }

    /// <summary>The event types Letta sends are constants; any other is read once per event.</summary>
    private static string EventType(ReadOnlySpan<byte> value) =>
        value.SequenceEqual("message"u8) ? SseParser.EventTypeDefault
        : value.SequenceEqual("error"u8) ? "error"
        : value.SequenceEqual("cancelled"u8) ? "cancelled"
        : System.Text.Encoding.UTF8.GetString(value);
}
