using System.Diagnostics.Metrics;
using LettaSockets.Server.Observability;
using LettaSockets.Server.Security;
using LettaSockets.Server.Turns;
using LettaSockets.Server.Upstream;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging.Abstractions;

namespace LettaSockets.Server.Tests.Turns;

/// <summary>A follow's polling, on its own: each run is attached once, oldest first; the connection's own runs
/// never; a run the connection could not take is tried again; polls come at the interval of the clock.</summary>
[TestClass]
public sealed class TurnFollowerTests
{
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(10);

    private static TurnPump Pump(IUpstream upstream)
    {
        IMeterFactory meters = new ServiceCollection().AddMetrics().BuildServiceProvider().GetRequiredService<IMeterFactory>();
        return new TurnPump(upstream, new ObjectAuthorizer(upstream), new LettaSocketsMetrics(meters), TimeProvider.System, NullLogger<TurnPump>.Instance);
    }

    private static Turn OwnTurn(string runId)
    {
        var turn = new Turn(new TurnState("own", "agent-1", resumable: true, 0), new LettaTurnRequest("agent-1"), new TurnOptions(TimeSpan.FromSeconds(5), null), TimeProvider.System, canceller: null, hostAborted: default);
        turn.Info.RunId = runId;
        return turn;
    }

    [TestMethod]
    public void Own_runs_keep_the_newest_capacity_and_skip_followed_turns()
    {
        var own = new OwnRuns();
        for (int i = 0; i <= OwnRuns.Capacity; i++)
        {
            own.Remember(OwnTurn($"run-{i}"));
        }

        own.Remember(OwnTurn($"run-{OwnRuns.Capacity}")); // again: no second place in the order
        var followed = new Turn(new TurnState("followed", "agent-1", resumable: true, 0) { Followed = true }, new LettaTurnRequest("agent-1"), new TurnOptions(TimeSpan.FromSeconds(5), null), TimeProvider.System, canceller: null, hostAborted: default);
        followed.Info.RunId = "run-followed";
        own.Remember(followed);

        Assert.IsFalse(own.Contains("run-0"), "the oldest is forgotten once more than the capacity were started");
        Assert.IsTrue(own.Contains("run-1"));
        Assert.IsTrue(own.Contains($"run-{OwnRuns.Capacity}"));
        Assert.IsFalse(own.Contains("run-followed"), "a followed turn is not the connection's own");
        own.Remember(OwnTurn("run-next"));
        Assert.IsFalse(own.Contains("run-1"), "the remembered-again run did not take a second slot: the next eviction is run-1");
        Assert.IsTrue(own.Contains("run-2"));
    }

    [TestMethod]
    public async Task Each_run_is_attached_once_oldest_first_and_never_the_connections_own()
    {
        var upstream = new RecordingUpstream { ActiveRuns = ["run-3", "run-2", "run-1"] };
        using var host = new TurnHost(4, 64, 1 << 20, CancellationToken.None);
        var own = new OwnRuns();
        own.Remember(OwnTurn("run-2"));
        var attached = new List<string>();
        bool busy = true;
        using var follower = new TurnFollower("agent-1", null, Pump(upstream), host, own, run =>
        {
            if (run == "run-3" && busy)
            {
                busy = false;
                return false; // the agent is busy on the connection: try again next poll
            }

            attached.Add(run);
            return true;
        }, TimeProvider.System, TimeSpan.FromSeconds(1));

        int first = await follower.PollAsync(CancellationToken.None).WaitAsync(Bound);
        int second = await follower.PollAsync(CancellationToken.None).WaitAsync(Bound);
        int third = await follower.PollAsync(CancellationToken.None).WaitAsync(Bound);

        CollectionAssert.AreEqual(new[] { "run-1", "run-3" }, attached, "oldest first, each once, the own run never");
        Assert.AreEqual(1, first, "run-3 could not be taken the first time");
        Assert.AreEqual(1, second, "so it was taken at the next poll");
        Assert.AreEqual(0, third);
    }

    [TestMethod]
    public async Task Polls_come_at_the_interval_of_the_clock()
    {
        var upstream = new RecordingUpstream();
        var clock = new SteppingClock();
        using var host = new TurnHost(4, 64, 1 << 20, CancellationToken.None);
        var attached = new List<string>();
        using var follower = new TurnFollower("agent-1", null, Pump(upstream), host, new OwnRuns(), run => { attached.Add(run); return true; }, clock, TimeSpan.FromSeconds(2));
        using var timeout = new CancellationTokenSource(Bound);

        follower.Start();
        await clock.NextTimerAsync(timeout.Token); // the first poll is done; the follower waits for the interval
        upstream.ActiveRuns = ["run-new"];
        int before = upstream.ActiveRunQueries;
        clock.AdvanceToNextTimer(TimeSpan.Zero);
        await clock.NextTimerAsync(timeout.Token); // the second poll is done

        Assert.AreEqual(1, before, "one poll at the start, none while the clock stood still");
        Assert.AreEqual(2, upstream.ActiveRunQueries);
        CollectionAssert.AreEqual(new[] { "run-new" }, attached);
        follower.Stop();
        await follower.Running.WaitAsync(Bound);
    }
}
