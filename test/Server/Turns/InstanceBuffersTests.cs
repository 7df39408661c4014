using LettaSockets.Server.Turns;
using Microsoft.Extensions.Time.Testing;

namespace LettaSockets.Server.Tests.Turns;

/// <summary>The instance-wide cap: over it, no new turns, and the holder of the most bytes is shed —
/// one at a time, at most one per <see cref="InstanceBuffers.ShedInterval"/> (fake clock).</summary>
[TestClass]
public sealed class InstanceBuffersTests
{
    private sealed class Holder(long bytes) : IBufferHolder
    {
        public long QueuedBytes { get; set; } = bytes;

        public int Sheds { get; private set; }

        public void Shed() => Sheds++;
    }

    [TestMethod]
    public void Over_the_cap_the_biggest_holder_is_shed_once_and_new_turns_are_refused()
    {
        var time = new FakeTimeProvider();
        var buffers = new InstanceBuffers(1000, time: time);
        Holder small = new(100), big = new(700), middle = new(400);
        foreach (Holder h in new[] { small, big, middle })
        {
            buffers.Register(h);
        }

        buffers.Add(900);
        Assert.IsFalse(buffers.IsOver);
        Assert.AreEqual(0, big.Sheds + middle.Sheds + small.Sheds, "under the cap nobody is shed");

        buffers.Add(300);
        Assert.IsTrue(buffers.IsOver, "new turns are refused while over");
        Assert.AreEqual(1, big.Sheds, "the holder of the most bytes goes first");
        Assert.AreEqual(0, middle.Sheds + small.Sheds);

        buffers.Add(10);
        Assert.AreEqual(0, middle.Sheds, "at most one shed per interval");
        time.Advance(InstanceBuffers.ShedInterval);
        buffers.Add(10);
        Assert.AreEqual(1, middle.Sheds, "still over after the interval: the next biggest");
        Assert.AreEqual(1, big.Sheds, "a shed holder is not asked twice");

        buffers.Add(-1000);
        Assert.IsFalse(buffers.IsOver, "turns are admitted again once clients have read");
    }
}
