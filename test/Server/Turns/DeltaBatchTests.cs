using LettaSockets.Protocol.Chunks;
using LettaSockets.Protocol.Frames;
using LettaSockets.Server.Turns;

namespace LettaSockets.Server.Tests.Turns;

[TestClass]
public sealed class DeltaBatchTests
{
    private static readonly TurnState Turn = new("t", "agent-1", resumable: true, startedTimestamp: 0);

    [TestMethod]
    public void Deltas_of_one_message_join_into_one_chunk_with_the_first_fields_and_the_last_seq()
    {
        var batch = new DeltaBatch(enabled: true);

        Assert.IsTrue(batch.TryAdd(StreamChunk.Text(Turn, "m1", "Hel", seq: 4)));
        Assert.IsTrue(batch.TryAdd(StreamChunk.Text(Turn, "m1", "lo", seq: 5)));
        Assert.IsTrue(batch.TryAdd(StreamChunk.Text(Turn, "m1", "!", seq: -1)), "a delta without a seq keeps the last one");
        Assert.IsTrue(batch.TryTake(out StreamChunk merged));

        Assert.AreEqual(ChunkKind.Chunk, merged.Kind);
        Assert.AreEqual("Hello!", merged.Content);
        Assert.AreEqual(5L, merged.Seq);
        Assert.AreEqual("m1", merged.MessageId);
        Assert.AreSame(Turn, merged.Turn);
        Assert.IsFalse(batch.TryTake(out _), "taking empties the batch");
    }

    [TestMethod]
    public void One_delta_comes_back_as_it_was()
    {
        var batch = new DeltaBatch(enabled: true);
        StreamChunk delta = StreamChunk.Reasoning(Turn, "r1", "hmm", hidden: true, seq: 2);

        Assert.IsTrue(batch.TryAdd(delta));
        Assert.IsTrue(batch.TryTake(out StreamChunk taken));

        Assert.AreSame(delta.Content, taken.Content);
        Assert.IsTrue(taken.Flag);
        Assert.AreEqual(2L, taken.Seq);
    }

    [TestMethod]
    public void What_does_not_continue_the_held_delta_is_refused()
    {
        var batch = new DeltaBatch(enabled: true);
        Assert.IsTrue(batch.TryAdd(StreamChunk.Text(Turn, "m1", "a")));

        Assert.IsFalse(batch.TryAdd(StreamChunk.Text(Turn, "m2", "b")), "another message");
        Assert.IsFalse(batch.TryAdd(StreamChunk.Reasoning(Turn, "m1", "b", hidden: false)), "another kind");
        Assert.IsFalse(batch.TryAdd(StreamChunk.Text(new TurnState("u", "agent-1", resumable: true, startedTimestamp: 0), "m1", "b")), "another turn");
        Assert.IsFalse(batch.TryAdd(StreamChunk.StatusFrame(Turn, StatusKind.Running)), "not a delta");
        Assert.IsTrue(batch.TryTake(out StreamChunk held));
        Assert.AreEqual("a", held.Content, "the refused chunks left the held one alone");
    }

    [TestMethod]
    public void A_batch_stays_within_a_frame_and_a_larger_delta_is_never_batched()
    {
        var batch = new DeltaBatch(enabled: true);
        string half = new('x', DeltaBatch.MaxChars / 2);

        Assert.IsTrue(batch.TryAdd(StreamChunk.Text(Turn, "m1", half)));
        Assert.IsTrue(batch.TryAdd(StreamChunk.Text(Turn, "m1", half)), "exactly a frame");
        Assert.IsFalse(batch.TryAdd(StreamChunk.Text(Turn, "m1", "y")), "one character more");
        Assert.IsTrue(batch.TryTake(out StreamChunk full));
        Assert.AreEqual(DeltaBatch.MaxChars, full.Content!.Length);

        Assert.IsFalse(batch.TryAdd(StreamChunk.Text(Turn, "m1", new string('z', DeltaBatch.MaxChars + 1))), "the writer sends it in pieces");
        Assert.IsFalse(batch.TryTake(out _));
    }

    [TestMethod]
    public void A_disabled_batch_takes_nothing_and_a_cleared_one_forgets_what_it_held()
    {
        Assert.IsFalse(new DeltaBatch(enabled: false).TryAdd(StreamChunk.Text(Turn, "m1", "a")));

        var batch = new DeltaBatch(enabled: true);
        Assert.IsTrue(batch.TryAdd(StreamChunk.Text(Turn, "m1", "a")));
        Assert.IsTrue(batch.TryAdd(StreamChunk.Text(Turn, "m1", "b")));
        batch.Clear();

        Assert.IsFalse(batch.TryTake(out _));
        Assert.IsTrue(batch.TryAdd(StreamChunk.Text(Turn, "m2", "c")), "a cleared batch starts afresh");
    }
}
