using LettaSockets.Protocol.Chunks;
using LettaSockets.Protocol.Frames;
using LettaSockets.Server.Letta;
using LettaSockets.Server.Turns;
using LettaSockets.Server.Upstream;
using Microsoft.Extensions.Options;

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
        new(new TurnState("t", "agent-1", resumable: false, 0), new LettaTurnRequest("agent-1"), new TurnOptions(TimeSpan.FromSeconds(5), null), TimeProvider.System, canceller: null, hostAborted);

    [TestMethod]
    public void A_turn_disposed_by_its_own_cancel_callback_finishes_the_cancel_and_is_then_disposed()
    {
        Turn turn = NewTurn();
        CancellationToken upstream = turn.UpstreamToken;
        turn.OutputToken.Register(turn.Dispose); // what an inline pump continuation does: stop, then dispose

        turn.Cancel(CancelledBy.Client); // no run id yet: no cancel call; arms the upstream wind-down after cancelling output

        Assert.IsTrue(turn.Info.IsCancelled);
        Assert.IsFalse(upstream.IsCancellationRequested, "the upstream wind-down was armed, not fired");
        Assert.ThrowsExactly<ObjectDisposedException>(() => upstream.WaitHandle.GetType(), "the deferred dispose ran once the cancel was done");
    }

    [TestMethod]
    public void Cancel_and_abort_after_dispose_are_no_ops()
    {
        Turn turn = NewTurn();
        turn.Dispose();

        turn.Cancel(CancelledBy.Client);
        turn.Detach(CancelledBy.Disconnect);
        turn.Dispose();

        Assert.IsFalse(turn.Info.IsCancelled, "a disposed turn is not marked cancelled afterwards");
    }

    [TestMethod]
    public void A_detach_whose_upstream_callback_disposes_the_turn_does_not_throw()
    {
        Turn turn = NewTurn();
        turn.Info.RunId = "run-1"; // known run: the detach drops the upstream stream at once
        CancellationToken output = turn.OutputToken;
        turn.UpstreamToken.Register(turn.Dispose);

        turn.Detach(CancelledBy.Disconnect);

        Assert.ThrowsExactly<ObjectDisposedException>(() => output.WaitHandle.GetType());
    }
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private static (Turn Turn, RecordingUpstream Upstream) WithCanceller(bool resumable, RecordingUpstream? upstream = null)
    {
        upstream ??= new RecordingUpstream();
        var canceller = new RunCanceller(upstream, Options.Create(new LettaOptions()));
        var turn = new Turn(new TurnState("t", "agent-1", resumable, 0), new LettaTurnRequest("agent-1"), new TurnOptions(TimeSpan.FromSeconds(5), null), TimeProvider.System, canceller, default);
        return (turn, upstream);
    }

    [TestMethod]
    public async Task A_cancelled_turn_stops_its_run_once_even_when_asked_again()
    {
        (Turn turn, RecordingUpstream upstream) = WithCanceller(resumable: false);
        turn.Info.RunId = "run-1";

        turn.Cancel(CancelledBy.Client);
        turn.StopRunIfAbandoned(RunStop.Cancelled);
        turn.StopRunIfAbandoned(RunStop.Lost);
        await turn.CancelCall.WaitAsync(Bound);

        Assert.AreEqual(1, upstream.Cancels.Count);
        Assert.AreEqual(("agent-1", "run-1"), upstream.Cancels.Single());
    }

    [TestMethod]
    public async Task A_run_named_only_after_the_cancel_is_stopped_when_it_is_named()
    {
        (Turn turn, RecordingUpstream upstream) = WithCanceller(resumable: false);
        turn.Cancel(CancelledBy.Client);
        await turn.CancelCall.WaitAsync(Bound);
        Assert.AreEqual(0, upstream.Cancels.Count, "no run to name yet");

        turn.Info.RunId = "run-2";
        turn.StopRunIfAbandoned(RunStop.Cancelled);
        await turn.CancelCall.WaitAsync(Bound);

        Assert.AreEqual("run-2", upstream.Cancels.Single().RunId);
    }

    [TestMethod]
    public async Task A_detached_resumable_run_lives_on_and_a_cancelled_resumable_run_does_not()
    {
        (Turn detached, RecordingUpstream kept) = WithCanceller(resumable: true);
        detached.Info.RunId = "run-3";
        detached.Detach(CancelledBy.Disconnect);
        detached.StopRunIfAbandoned(RunStop.Cancelled);

        (Turn cancelled, RecordingUpstream stopped) = WithCanceller(resumable: true);
        cancelled.Info.RunId = "run-4";
        cancelled.Cancel(CancelledBy.Client);
        await Task.WhenAll(detached.CancelCall, cancelled.CancelCall).WaitAsync(Bound);

        Assert.IsTrue(detached.IsDetached);
        Assert.AreEqual(0, kept.Cancels.Count, "a detached run is the client's to resume");
        Assert.AreEqual(1, stopped.Cancels.Count, "a client's cancel stops a resumable run too");
    }

    [TestMethod]
    public async Task A_lost_run_is_stopped_unless_it_is_resumable()
    {
        (Turn plain, RecordingUpstream plainUpstream) = WithCanceller(resumable: false);
        (Turn resumable, RecordingUpstream resumableUpstream) = WithCanceller(resumable: true);
        plain.Info.RunId = "run-5";
        resumable.Info.RunId = "run-6";

        plain.StopRunIfAbandoned(RunStop.Lost);
        resumable.StopRunIfAbandoned(RunStop.Lost);
        plain.StopRunIfAbandoned(RunStop.Cancelled); // not cancelled: nothing more
        await Task.WhenAll(plain.CancelCall, resumable.CancelCall).WaitAsync(Bound);

        Assert.AreEqual(1, plainUpstream.Cancels.Count);
        Assert.AreEqual(0, resumableUpstream.Cancels.Count);
    }

    [TestMethod]
    public async Task A_cancel_returns_while_Letta_is_still_being_told()
    {
        // The reader loop cancels and then queues the client's done: a cancel call that sends on the
        // cancelling thread (and under the turn's lock) would hold the done back for as long as it takes.
        using var hold = new ManualResetEventSlim();
        (Turn turn, RecordingUpstream upstream) = WithCanceller(resumable: false, new RecordingUpstream { HoldCancels = hold });
        turn.Info.RunId = "run-7";

        try
        {
            await Task.Run(() => turn.Cancel(CancelledBy.Client)).WaitAsync(Bound);
            Assert.IsTrue(turn.Info.IsCancelled);
            Assert.IsFalse(turn.CancelCall.IsCompleted, "the call to Letta is still held, and the cancel did not wait for it");
            turn.Dispose(); // nor does tearing the turn down
        }
        finally
        {
            hold.Set();
        }

        await turn.CancelCall.WaitAsync(Bound);
        Assert.AreEqual(("agent-1", "run-7"), upstream.Cancels.Single());
    }
}
