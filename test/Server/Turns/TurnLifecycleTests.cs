using LettaSockets.Protocol.Chunks;
using LettaSockets.Protocol.Frames;
using LettaSockets.Server.Letta;
using LettaSockets.Server.Turns;
using LettaSockets.Server.Upstream;

namespace LettaSockets.Server.Tests.Turns;

/// <summary>
/// The turn's life cycle in every order of cancel / pump-stopped / dispose. Cancelling a token runs
/// its callbacks on the cancelling thread, so a pump that was only waiting can finish — and dispose
/// the turn — from inside <see cref="Turn.Cancel"/>: the root cause of "Stop, send, Stop again".
/// </summary>
[TestClass]
public sealed class TurnLifecycleTests
{
    private static Turn NewTurn(CancellationToken hostAborted = default) =>
        new(new TurnInfo("t", "agent-1", resumable: false, 0), new LettaTurnRequest("agent-1"), new TurnOptions(TimeSpan.FromSeconds(5), null), hostAborted, TimeProvider.System);

    [TestMethod]
    public void A_turn_disposed_by_its_own_cancel_callback_finishes_the_cancel_and_is_then_disposed()
    {
        Turn turn = NewTurn();
        CancellationToken upstream = turn.UpstreamToken;
        turn.OutputToken.Register(turn.Dispose); // what an inline pump continuation does: stop, then dispose

        turn.Cancel(CancelledBy.Client, canceller: null!); // no run id yet: no cancel call; arms the upstream wind-down after cancelling output

        Assert.IsTrue(turn.Info.IsCancelled);
        Assert.IsFalse(upstream.IsCancellationRequested, "the upstream wind-down was armed, not fired");
        Assert.ThrowsExactly<ObjectDisposedException>(() => upstream.WaitHandle.GetType(), "the deferred dispose ran once the cancel was done");
    }

    [TestMethod]
    public void Cancel_and_abort_after_dispose_are_no_ops()
    {
        Turn turn = NewTurn();
        turn.Dispose();

        turn.Cancel(CancelledBy.Client, canceller: null!);
        turn.Detach(CancelledBy.Disconnect);
        turn.AbortUpstream();
        turn.Dispose();

        Assert.IsFalse(turn.Info.IsCancelled, "a disposed turn is not marked cancelled afterwards");
    }

    [TestMethod]
    public void Abort_upstream_whose_callback_disposes_the_turn_does_not_throw()
    {
        Turn turn = NewTurn();
        CancellationToken output = turn.OutputToken;
        turn.UpstreamToken.Register(turn.Dispose);

        turn.AbortUpstream();

        Assert.ThrowsExactly<ObjectDisposedException>(() => output.WaitHandle.GetType());
    }
}
