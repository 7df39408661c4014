using System.IO.Pipelines;
using System.Text;
using LettaSockets.Server.Letta;
using LettaSockets.Server.Upstream;

namespace LettaSockets.Server.Tests.Letta;

/// <summary>
/// Between two of Letta's events the stream reader waits with a zero-byte read and holds no read buffer
/// meanwhile (docs/BENCHMARKS.md, "Cold start"): the wait must still deliver each event as soon as it
/// arrives, a zero-byte read that completes at once must not be taken for the end of the stream, and the
/// stream's real end must still end the read.
/// </summary>
[TestClass]
public sealed class ZeroByteReadTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    [TestMethod]
    public async Task Each_event_arrives_while_the_next_is_not_written_and_the_reader_waits_without_a_buffer()
    {
        var pipe = new Pipe();
        var body = new RecordingStream(pipe.Reader.AsStream());
        var response = new HttpResponseMessage { Content = new StreamContent(body) };
        await using var stream = new LettaStream(response, TimeProvider.System, TimeSpan.FromSeconds(30));
        using var timeout = new CancellationTokenSource(Bound);
        await using IAsyncEnumerator<LettaEvent> events = stream.ReadAsync(timeout.Token).GetAsyncEnumerator(timeout.Token);

        var texts = new List<string>();
        for (int i = 0; i < 3; i++)
        {
            ValueTask<bool> next = events.MoveNextAsync();
            Assert.IsFalse(next.IsCompleted, $"event {i} is not written yet");
            await pipe.Writer.WriteAsync(Encoding.UTF8.GetBytes(Assistant($"part{i}")), timeout.Token);
            Assert.IsTrue(await next.AsTask().WaitAsync(Bound, timeout.Token));
            texts.Add(events.Current.Text!);
        }

        ValueTask<bool> end = events.MoveNextAsync();
        await pipe.Writer.CompleteAsync();
        Assert.IsFalse(await end.AsTask().WaitAsync(Bound, timeout.Token), "the end of the body ends the read");

        CollectionAssert.AreEqual(new[] { "part0", "part1", "part2" }, texts);
        Assert.IsTrue(body.ZeroByteReadsThatWaited >= 3, $"the reader waited for each event with a zero-byte read ({body.ZeroByteReadsThatWaited})");
    }

    private static string Assistant(string text) =>
        $"data: {{\"message_type\":\"assistant_message\",\"otid\":\"o-1\",\"run_id\":\"run-1\",\"content\":\"{text}\"}}\n\n";

    /// <summary>A read-only stream over another that counts the zero-byte reads that had to wait for data.</summary>
    private sealed class RecordingStream(Stream inner) : Stream
    {
        private int _waited;

        public int ZeroByteReadsThatWaited => Volatile.Read(ref _waited);

        public override bool CanRead => true;

        public override bool CanSeek => false;

        public override bool CanWrite => false;

        public override long Length => throw new NotSupportedException();

        public override long Position { get => throw new NotSupportedException(); set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            ValueTask<int> read = inner.ReadAsync(buffer, cancellationToken);
            if (buffer.IsEmpty && !read.IsCompleted)
            {
                Interlocked.Increment(ref _waited);
            }

            return await read.ConfigureAwait(false);
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        public override void Flush()
        {
        }

        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();

        public override void SetLength(long value) => throw new NotSupportedException();

        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();

        protected override void Dispose(bool disposing)
        {
            if (disposing)
            {
                inner.Dispose();
            }

            base.Dispose(disposing);
        }
    }
}
