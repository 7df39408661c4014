using System.Threading.Channels;
using LettaSockets.Protocol.Chunks;

namespace LettaSockets.Server.Turns;

/// <summary>
/// A single-reader queue of chunks bounded twice: by count and by <see cref="ChunkBytes"/>. A producer
/// waits while either bound is reached (so the pump stops reading Letta: backpressure, not buffering);
/// one chunk larger than the byte bound alone is still admitted into an empty queue, so nothing can
/// deadlock. Bytes are returned as the reader takes chunks out — or, for a reader that still holds what
/// it took (a writer whose send is pending, a pacer releasing a delta piece by piece), when it says it
/// is done with them (<see cref="Settle"/>): what it holds counts against the same bound.
/// </summary>
public sealed class ByteBoundedQueue
{
    private readonly Channel<StreamChunk> _channel;
    private readonly long _maxBytes;
    private readonly Action<long>? _onChange;
    private readonly bool _holdUntilSettled;
    private long _bytes;
    private long _taken; // bytes the reader took out but still holds (hold-until-settled mode)
    private TaskCompletionSource? _room;

    /// <param name="onChange">Told every change of the bytes held (e.g. the instance-wide gauge).</param>
    /// <param name="holdUntilSettled">True: a chunk the reader takes stays counted until the reader calls
    /// <see cref="Settle"/>, so the bound covers what it holds while sending as well as what waits.</param>
    public ByteBoundedQueue(int capacity, long maxBytes, bool singleWriter = false, Action<long>? onChange = null, bool holdUntilSettled = false)
    {
        _holdUntilSettled = holdUntilSettled;
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

    // Lock-free: a reservation is one compare-and-swap, a release one add (this runs twice per chunk).
    // A producer that finds no room registers for the next release and tries once more before waiting,
    // so a release between its try and its registration is never missed.
    private bool TryReserve(long size)
    {
        long current = Volatile.Read(ref _bytes);
        while (true)
        {
            if (current > 0 && current + size > _maxBytes)
            {
                return false;
            }

            long seen = Interlocked.CompareExchange(ref _bytes, current + size, current);
            if (seen == current)
            {
                break;
            }

            current = seen;
        }

        _onChange?.Invoke(size);
        return true;
    }

    private Task RoomAsync()
    {
        TaskCompletionSource? room = Volatile.Read(ref _room);
        if (room is null)
        {
            var fresh = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
            room = Interlocked.CompareExchange(ref _room, fresh, null) ?? fresh;
        }

        return room.Task;
    }

    private void Release(long size)
    {
        Interlocked.Add(ref _bytes, -size);
        _onChange?.Invoke(-size);
        if (Volatile.Read(ref _room) is { } room && Interlocked.CompareExchange(ref _room, null, room) == room)
        {
            room.TrySetResult();
        }
    }

    /// <summary>The reader is done with everything it took (its send completed): those bytes are free.
    /// Reader only; nothing to do unless the queue holds until settled.</summary>
    public void Settle()
    {
        if (Volatile.Read(ref _taken) != 0 && Interlocked.Exchange(ref _taken, 0) is var taken and not 0)
        {
            Release(taken);
        }
    }

    /// <summary>Returns what is still queued, and what the reader still held, when the queue is
    /// abandoned (the host is gone). Called once the reader has stopped.</summary>
    public void Drop()
    {
        while (_channel.Reader.TryRead(out StreamChunk chunk))
        {
            Release(ChunkBytes.Of(chunk));
        }

        Settle();
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

            long size = ChunkBytes.Of(item);
            if (queue._holdUntilSettled)
            {
                Interlocked.Add(ref queue._taken, size);
            }
            else
            {
                queue.Release(size);
            }

            return true;
        }

        public override ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken = default) =>
            queue._channel.Reader.WaitToReadAsync(cancellationToken);
    }
}
