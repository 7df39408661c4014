using LettaSockets.Protocol.Chunks;
using LettaSockets.Server.Turns;

namespace LettaSockets.Server.Tests.Turns;

/// <summary>The queue bound in bytes: producers wait for room, one oversized chunk passes an empty
/// queue, taking chunks out makes room, and abandoning the queue returns every byte.</summary>
[TestClass]
public sealed class ByteBoundedQueueTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);
    private static readonly TurnInfo Info = new("t", "agent-1", resumable: false, 0);

    private static StreamChunk Text(int chars) => StreamChunk.Text(Info, "m", new string('x', chars));

    [TestMethod]
    public async Task A_producer_waits_for_bytes_not_only_for_slots()
    {
        long held = 0;
        var queue = new ByteBoundedQueue(capacity: 1000, maxBytes: 10_000, onChange: d => Interlocked.Add(ref held, d));

        await queue.Writer.WriteAsync(Text(4000)).AsTask().WaitAsync(Bound); // 8,128 bytes
        Task second = queue.Writer.WriteAsync(Text(4000)).AsTask();

        Assert.IsFalse(second.IsCompleted, "a second 8 KB chunk does not fit in 10 KB, though 999 slots are free");
        Assert.IsFalse(queue.Writer.TryWrite(Text(10)) && queue.Bytes > queue.MaxBytes, "TryWrite never overfills");
        Assert.IsTrue(queue.Reader.TryRead(out _));
        await second.WaitAsync(Bound);
        Assert.IsLessThanOrEqualTo(queue.MaxBytes, queue.Bytes);
        Assert.AreEqual(queue.Bytes, Interlocked.Read(ref held), "every change is reported");
    }

    [TestMethod]
    public async Task One_chunk_larger_than_the_bound_passes_an_empty_queue_alone()
    {
        var queue = new ByteBoundedQueue(capacity: 16, maxBytes: 4096);

        await queue.Writer.WriteAsync(Text(64 * 1024)).AsTask().WaitAsync(Bound);
        Task next = queue.Writer.WriteAsync(Text(1)).AsTask();

        Assert.IsFalse(next.IsCompleted, "nothing joins an oversized chunk");
        Assert.IsTrue(queue.Reader.TryRead(out StreamChunk big));
        Assert.AreEqual(64 * 1024, big.Content!.Length);
        await next.WaitAsync(Bound);
    }

    [TestMethod]
    public async Task Dropping_an_abandoned_queue_returns_every_byte()
    {
        long held = 0;
        var queue = new ByteBoundedQueue(capacity: 16, maxBytes: 100_000, onChange: d => Interlocked.Add(ref held, d));
        for (int i = 0; i < 5; i++)
        {
            await queue.Writer.WriteAsync(Text(1000)).AsTask().WaitAsync(Bound);
        }

        Assert.IsGreaterThan(0L, Interlocked.Read(ref held));
        queue.Writer.TryComplete();
        queue.Drop();

        Assert.AreEqual(0L, queue.Bytes);
        Assert.AreEqual(0L, Interlocked.Read(ref held));
    }

    [TestMethod]
    public async Task A_cancelled_wait_takes_nothing()
    {
        var queue = new ByteBoundedQueue(capacity: 16, maxBytes: 4096);
        await queue.Writer.WriteAsync(Text(1500)).AsTask().WaitAsync(Bound);
        long before = queue.Bytes;
        using var cancel = new CancellationTokenSource();

        Task blocked = queue.Writer.WriteAsync(Text(1500), cancel.Token).AsTask();
        cancel.Cancel();

        await Assert.ThrowsAsync<OperationCanceledException>(() => blocked.WaitAsync(Bound));
        Assert.AreEqual(before, queue.Bytes);
    }

    [TestMethod]
    public async Task A_chunk_the_reader_still_holds_counts_until_it_settles()
    {
        long held = 0;
        var queue = new ByteBoundedQueue(capacity: 1000, maxBytes: 10_000, onChange: d => Interlocked.Add(ref held, d), holdUntilSettled: true);
        await queue.Writer.WriteAsync(Text(4000)).AsTask().WaitAsync(Bound); // 8,128 bytes

        Assert.IsTrue(queue.Reader.TryRead(out _), "the writer takes the chunk and starts sending it");
        Task second = queue.Writer.WriteAsync(Text(4000)).AsTask();

        Assert.AreEqual(8128L, queue.Bytes, "a chunk whose send is pending is still held");
        Assert.IsFalse(second.IsCompleted, "so a second one does not fit beside it");
        queue.Settle();
        await second.WaitAsync(Bound);
        Assert.AreEqual(8128L, queue.Bytes, "the first is free, the second queued");
        Assert.AreEqual(queue.Bytes, Interlocked.Read(ref held), "every change is reported");
    }

    [TestMethod]
    public async Task Dropping_a_queue_also_returns_what_its_reader_held()
    {
        long held = 0;
        var queue = new ByteBoundedQueue(capacity: 16, maxBytes: 100_000, onChange: d => Interlocked.Add(ref held, d), holdUntilSettled: true);
        await queue.Writer.WriteAsync(Text(1000)).AsTask().WaitAsync(Bound);
        await queue.Writer.WriteAsync(Text(1000)).AsTask().WaitAsync(Bound);
        Assert.IsTrue(queue.Reader.TryRead(out _));

        queue.Writer.TryComplete();
        queue.Drop();

        Assert.AreEqual(0L, queue.Bytes);
        Assert.AreEqual(0L, Interlocked.Read(ref held));
    }
}
