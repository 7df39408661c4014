using System.Threading.Channels;
using LettaSockets.Protocol.Chunks;

namespace LettaSockets.Server.Turns;

/// <summary>
/// A single-reader queue of chunks bounded twice: by count and by <see cref="ChunkBytes"/>. A producer
/// waits while either bound is reached (so the pump stops reading Letta: backpressure, not buffering);
/// one chunk larger than the byte bound alone is still admitted into an empty queue, so nothing can
/// deadlock. Bytes are returned as the reader takes chunks out.
/// </summary>
public sealed class ByteBoundedQueue
{
    private readonly Channel<StreamChunk> _channel;
    private readonly long _maxBytes;
    private readonly Lock _gate = new();
    private readonly Action<long>? _onChange;
    private long _bytes;
    private TaskCompletionSource? _room;

    /// <param name="onChange">Told every change of the bytes held (e.g. the instance-wide gauge).</param>
    public ByteBoundedQueue(int capacity, long maxBytes, bool singleWriter = false, Action<long>? onChange = null)
    {
        _channel = Channel.CreateBounded<StreamChunk>(new BoundedChannelOptions(capacity)
        {
            SingleReader = true,
            SingleWriter = singleWriter,
            FullMode = BoundedChannelFullMode.Wait,
        });
        _maxBytes = maxBytes;
        _onChange = onChange;
        Writer = new BoundedWriter(this);
        Reader = new BoundedReader(this);
    }

    public ChannelWriter<StreamChunk> Writer { get; }

    public ChannelReader<StreamChunk> Reader { get; }

    /// <summary>Bytes held right now.</summary>
    public long Bytes => Volatile.Read(ref _bytes);

    public long MaxBytes => _maxBytes;

    private bool TryReserve(long size)
    {
        lock (_gate)
        {
            if (_bytes > 0 && _bytes + size > _maxBytes)
            {
                return false;
            }

            _bytes += size;
        }

        _onChange?.Invoke(size);
        return true;
    }

    private Task RoomAsync()
    {
        lock (_gate)
        {
            return (_room ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously)).Task;
        }
    }

    private void Release(long size)
    {
        TaskCompletionSource? room;
        lock (_gate)
        {
            _bytes -= size;
            room = _room;
            _room = null;
        }

        _onChange?.Invoke(-size);
        room?.TrySetResult();
    }

    /// <summary>Returns what is still queued when the queue is abandoned (the host is gone).</summary>
    public void Drop()
    {
        while (_channel.Reader.TryRead(out StreamChunk chunk))
        {
            Release(ChunkBytes.Of(chunk));
        }
    }

    private sealed class BoundedWriter(ByteBoundedQueue queue) : ChannelWriter<StreamChunk>
    {
        public override bool TryComplete(Exception? error = null) => queue._channel.Writer.TryComplete(error);

        public override bool TryWrite(StreamChunk item)
        {
            long size = ChunkBytes.Of(item);
            if (!queue.TryReserve(size))
            {
                return false;
            }

            if (queue._channel.Writer.TryWrite(item))
            {
                return true;
            }

            queue.Release(size);
            return false;
        }

        public override async ValueTask<bool> WaitToWriteAsync(CancellationToken cancellationToken = default)
        {
            while (true)
            {
                Task room = queue.RoomAsync();
                if (queue.Bytes == 0 || queue.Bytes < queue._maxBytes)
                {
                    return await queue._channel.Writer.WaitToWriteAsync(cancellationToken).ConfigureAwait(false);
                }

                await room.WaitAsync(cancellationToken).ConfigureAwait(false);
            }
        }

        public override async ValueTask WriteAsync(StreamChunk item, CancellationToken cancellationToken = default)
        {
            long size = ChunkBytes.Of(item);
            cancellationToken.ThrowIfCancellationRequested();
            while (!queue.TryReserve(size))
            {
                // Register for the next release, then try once more: a release in between is not missed.
                Task room = queue.RoomAsync();
                if (queue.TryReserve(size))
                {
                    break;
                }

                await room.WaitAsync(cancellationToken).ConfigureAwait(false);
            }

            try
            {
                await queue._channel.Writer.WriteAsync(item, cancellationToken).ConfigureAwait(false);
            }
            catch
            {
                queue.Release(size);
                throw;
            }
        }
    }

    private sealed class BoundedReader(ByteBoundedQueue queue) : ChannelReader<StreamChunk>
    {
        public override Task Completion => queue._channel.Reader.Completion;

        public override bool CanPeek => true;

        public override int Count => queue._channel.Reader.Count;

        public override bool CanCount => true;

        public override bool TryPeek(out StreamChunk item) => queue._channel.Reader.TryPeek(out item);

        public override bool TryRead(out StreamChunk item)
        {
            if (!queue._channel.Reader.TryRead(out item))
            {
                return false;
            }

            queue.Release(ChunkBytes.Of(item));
            return true;
        }

        public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default) =>
            queue._channel.Reader.WaitToReadAsync(cancellationToken);
    }
}
