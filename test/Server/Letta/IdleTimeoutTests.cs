using System.IO.Pipelines;
using System.Net;
using System.Text;
using LettaSockets.Protocol.Frames;
using LettaSockets.Server.Letta;
using LettaSockets.Server.Upstream;
using Microsoft.Extensions.Time.Testing;

namespace LettaSockets.Server.Tests.Letta;

/// <summary>
/// The idle timeout measures Letta's silence only while the gateway waits for Letta (docs/PROTOCOL.md, rule 8 and "Slow readers"):
/// time the reader spends blocked on backpressure (a full queue, a paced client) does not count.
/// On a fake clock, so minutes pass in no time and nothing is timed against the wall clock.
/// </summary>
[TestClass]
public sealed class IdleTimeoutTests
{
    private static readonly TimeSpan Idle = TimeSpan.FromSeconds(60);
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(5);

    private static async Task WriteEventAsync(Pipe pipe) =>
        await pipe.Writer.WriteAsync(Encoding.UTF8.GetBytes("data: {\"message_type\":\"ping\",\"run_id\":\"run-1\"}\n\n"));

    private static (LettaStream Stream, Pipe Pipe, FakeTimeProvider Time, HttpResponseMessage Response) Open()
    {
        var time = new FakeTimeProvider(DateTimeOffset.UnixEpoch);
        var pipe = new Pipe();
        var response = new HttpResponseMessage(HttpStatusCode.OK) { Content = new StreamContent(pipe.Reader.AsStream()) };
        return (new LettaStream(response, time, Idle), pipe, time, response);
    }

    [TestMethod]
    public async Task Time_the_reader_spends_on_backpressure_is_not_letta_silence()
    {
        (LettaStream stream, Pipe pipe, FakeTimeProvider time, HttpResponseMessage response) = Open();
        using (response)
        await using (stream)
        {
            IAsyncEnumerator<LettaEvent> events = stream.ReadAsync(CancellationToken.None).GetAsyncEnumerator();
            await WriteEventAsync(pipe);
            Assert.IsTrue(await events.MoveNextAsync().AsTask().WaitAsync(Bound));

            // The reader holds this event for five minutes (its client reads slowly): Letta is not silent.
            time.Advance(TimeSpan.FromMinutes(5));
            await WriteEventAsync(pipe);

            Assert.IsTrue(await events.MoveNextAsync().AsTask().WaitAsync(Bound), "the next event arrives, no upstream_timeout");
            Assert.AreEqual("run-1", events.Current.RunId);
            await events.DisposeAsync();
        }
    }

    [TestMethod]
    public async Task Silence_while_the_reader_waits_ends_the_stream_with_upstream_timeout()
    {
        (LettaStream stream, Pipe pipe, FakeTimeProvider time, HttpResponseMessage response) = Open();
        using (response)
        await using (stream)
        {
            IAsyncEnumerator<LettaEvent> events = stream.ReadAsync(CancellationToken.None).GetAsyncEnumerator();
            await WriteEventAsync(pipe);
            Assert.IsTrue(await events.MoveNextAsync().AsTask().WaitAsync(Bound));

            Task<bool> next = events.MoveNextAsync().AsTask();
            time.Advance(Idle - TimeSpan.FromSeconds(1));
            Assert.IsFalse(next.IsCompleted, "not yet: Letta has been silent for less than the idle timeout");
            time.Advance(TimeSpan.FromSeconds(2));

            UpstreamException e = await Assert.ThrowsExactlyAsync<UpstreamException>(() => next.WaitAsync(Bound));
            Assert.AreEqual(ErrorCodes.UpstreamTimeout, e.Code);
            await events.DisposeAsync();
        }
    }
}
