using System.Globalization;
using System.Threading.Channels;
using LettaSockets.Protocol.Chunks;
using LettaSockets.Protocol.Frames;
using LettaSockets.Server.Turns;
using LettaSockets.Server.Upstream;

namespace LettaSockets.Server.Tests.Turns;

/// <summary>
/// The pacer's rhythm on a fake clock: the test advances time only while the pacer sleeps, so the
/// rate, the piece sizes and the catch-up after a late wake-up are exact, whatever the machine's load.
/// </summary>
[TestClass]
public sealed class PacerClockTests
{
    private const double Rate = 100; // characters per second: 2 per 20 ms tick, at most 25 after a late wake-up

    // ~120 characters with 8-unit emoji sequences, which must never be split.
    private static readonly string s_text = string.Concat(Enumerable.Range(1, 12).Select(i => $"word{i:00} 👩‍👩‍👧 ")) + "end.";

    [TestMethod]
    public async Task On_time_wake_ups_release_a_tick_of_text_each_at_the_requested_rate()
    {
        List<(TimeSpan At, StreamChunk Chunk)> released = await PaceAsync(s_text, late: TimeSpan.Zero);

        List<(TimeSpan At, string Text)> pieces = TextPieces(released);
        Assert.AreEqual(s_text, string.Concat(pieces.Select(p => p.Text)), "nothing lost, nothing reordered");
        AssertWholeTextElements(pieces);
        int longestElement = LongestElement(s_text);
        Assert.IsTrue(pieces.All(p => p.Text.Length <= Math.Max(2, longestElement)), "one tick's worth, or one whole element, per release");

        // The first piece is free; the rest follow at the rate (a late element borrows from the next ticks).
        double seconds = (pieces[^1].At - pieces[0].At).TotalSeconds;
        double rate = (s_text.Length - pieces[0].Text.Length) / seconds;
        Assert.AreEqual(Rate, rate, Rate * 0.1, $"paced at {rate:F1} chars/s");
        Assert.AreEqual("done", Kind(released[^1].Chunk), "the terminal frame comes last");
        Assert.AreEqual(pieces[^1].At, released[^1].At, "and right behind the last text, not a tick later");
    }

    [TestMethod]
    public async Task A_late_wake_up_catches_up_but_never_by_more_than_a_quarter_second()
    {
        List<(TimeSpan At, StreamChunk Chunk)> released = await PaceAsync(s_text, late: TimeSpan.FromSeconds(2));

        List<(TimeSpan At, string Text)> pieces = TextPieces(released);
        Assert.AreEqual(s_text, string.Concat(pieces.Select(p => p.Text)));
        AssertWholeTextElements(pieces);
        int cap = (int)(Rate * 0.25);
        Assert.IsTrue(pieces.All(p => p.Text.Length <= cap + LongestElement(s_text)), "a 2 s stall releases at most 250 ms of text at once");
        Assert.IsTrue(pieces.Count >= s_text.Length / (cap + LongestElement(s_text)), "the stall did not turn into one burst");
    }

    [TestMethod]
    public async Task Cancelling_the_turn_while_the_pacer_sleeps_drops_the_rest()
    {
        using Turn turn = NewTurn();
        var host = new ChannelHost();
        var clock = new SteppingClock();
        TurnPacer pacer = TurnPacer.For(turn, host, clock)!;
        Assert.IsTrue(pacer.Output.TryWrite(StreamChunk.Text(turn.Info, "m1", s_text, 1)));
        Assert.IsTrue(pacer.Output.TryWrite(StreamChunk.Done(turn.Info, new DoneInfo("end_turn", CancelledBy.None, null, 0))));

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await clock.NextTimerAsync(timeout.Token); // the first piece is out; the pacer sleeps
        turn.Cancel(CancelledBy.Client);
        await pacer.DrainAsync().WaitAsync(timeout.Token);

        List<StreamChunk> all = host.Drain();
        Assert.AreEqual(1, all.Count, "only the piece released before the cancel");
        Assert.AreEqual(ChunkKind.Chunk, all[0].Kind);
        Assert.IsTrue(all[0].Content!.Length <= 2);
    }

    private static async Task<List<(TimeSpan At, StreamChunk Chunk)>> PaceAsync(string text, TimeSpan late)
    {
        using Turn turn = NewTurn();
        var host = new ChannelHost();
        var clock = new SteppingClock();
        DateTimeOffset start = clock.GetUtcNow();
        TurnPacer pacer = TurnPacer.For(turn, host, clock)!;
        Assert.IsTrue(pacer.Output.TryWrite(StreamChunk.Text(turn.Info, "m1", text, 1)));
        Assert.IsTrue(pacer.Output.TryWrite(StreamChunk.Done(turn.Info, new DoneInfo("end_turn", CancelledBy.None, null, 0))));
        Task drained = pacer.DrainAsync();

        var released = new List<(TimeSpan, StreamChunk)>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        for (int steps = 0; ; steps++)
        {
            Assert.IsLessThan(10_000, steps, "the pacer never finished");
            Task asleep = clock.NextTimerAsync(timeout.Token);
            await Task.WhenAny(asleep, drained).WaitAsync(timeout.Token);
            released.AddRange(host.Drain().Select(c => (clock.GetUtcNow() - start, c)));
            if (drained.IsCompleted)
            {
                return released;
            }

            clock.AdvanceToNextTimer(late);
        }
    }

    private static Turn NewTurn() =>
        new(new TurnState("t", "agent-1", resumable: false, 0), new LettaTurnRequest("agent-1"), new TurnOptions(TimeSpan.FromSeconds(5), Rate), TimeProvider.System, canceller: null, hostAborted: default);

    private static List<(TimeSpan At, string Text)> TextPieces(List<(TimeSpan At, StreamChunk Chunk)> released) =>
        [.. released.Where(r => r.Chunk.Kind == ChunkKind.Chunk).Select(r => (r.At, r.Chunk.Content!))];

    private static string Kind(in StreamChunk chunk) => chunk.Kind == ChunkKind.Done ? "done" : chunk.Kind.ToString();

    private static int LongestElement(string text)
    {
        int[] starts = StringInfo.ParseCombiningCharacters(text);
        return starts.Zip(starts.Skip(1).Append(text.Length), (a, b) => b - a).Max();
    }

    private static void AssertWholeTextElements(List<(TimeSpan At, string Text)> pieces)
    {
        HashSet<int> boundaries = [.. StringInfo.ParseCombiningCharacters(s_text), s_text.Length];
        int offset = 0;
        foreach ((_, string text) in pieces)
        {
            offset += text.Length;
            Assert.IsTrue(boundaries.Contains(offset), $"a piece ends inside a text element at {offset}");
        }
    }

    /// <summary>The host's queue as a plain unbounded channel the test reads.</summary>
    private sealed class ChannelHost : ITurnHost
    {
        private readonly Channel<StreamChunk> _queue = Channel.CreateUnbounded<StreamChunk>();

        public ChannelWriter<StreamChunk> Output => _queue.Writer;

        public CancellationToken Aborted => CancellationToken.None;

        public Action<long>? BufferedChanged => null;

        public bool JoinsDeltas => false;

        public bool TryFinish(Turn turn) => true;

        public void OnPumpStopped(Turn turn)
        {
        }

        public List<StreamChunk> Drain()
        {
            var chunks = new List<StreamChunk>();
            while (_queue.Reader.TryRead(out StreamChunk chunk))
            {
                chunks.Add(chunk);
            }

            return chunks;
        }
    }
}
