using LettaSockets.Simulator.Tests.TestSupport;

namespace LettaSockets.Simulator.Tests.Journal;

[TestClass]
public sealed class JournalTests
{
    [TestMethod]
    public async Task Overlapping_runs_on_one_agent_are_counted()
    {
        await using var sim = await SimTest.StartAsync(o => o.PaceMultiplier = 1);
        sim.AddAgent(_ => AgentScript.Create().Say("x").Pause(TimeSpan.FromSeconds(30)));

        await using var first = await sim.StreamAsync(SimTest.Body("one"));
        await using var second = await sim.StreamAsync(SimTest.Body("two"));
        var firstId = (await first.ReadEventAsync())!.Str("run_id");
        var secondId = (await second.ReadEventAsync())!.Str("run_id");
        var activeWhileBoth = sim.Sim.Journal.ActiveRuns;
        using var cancel = await sim.PostAsync(
            $"/v1/agents/{SimTest.AgentId}/messages/cancel", $"{{\"run_ids\":[\"{firstId}\",\"{secondId}\"]}}");
        await Task.WhenAll(sim.Sim.Runs.All.Select(r => r.Completion)).WaitAsync(SimTest.Timeout);

        Assert.AreEqual(2, activeWhileBoth);
        Assert.AreEqual(2, sim.Sim.Journal.MaxConcurrentRunsPerAgent(SimTest.AgentId));
        Assert.AreEqual(0, sim.Sim.Journal.ActiveRuns);
    }

    [TestMethod]
    public async Task Sequential_runs_never_overlap_and_a_cancel_leaves_running_at_once()
    {
        await using var sim = await SimTest.StartAsync(o =>
        {
            o.PaceMultiplier = 1;
            o.CancelPollInterval = TimeSpan.FromHours(1);
        });
        sim.AddAgent(request => AgentScript.Create().Say(request.UserText).Pause(TimeSpan.FromSeconds(30)));

        await using var first = await sim.StreamAsync(SimTest.Body("one"));
        var runId = (await first.ReadEventAsync())!.Str("run_id")!;
        using var cancel = await sim.PostAsync($"/v1/agents/{SimTest.AgentId}/messages/cancel", null);
        await using var second = await sim.StreamAsync(SimTest.Body("two"));
        await second.ReadEventAsync();

        Assert.AreEqual(1, sim.Sim.Journal.MaxConcurrentRunsPerAgent(SimTest.AgentId), "the cancelled run stopped counting when the cancel was answered");
        Assert.AreEqual(0, sim.Sim.Journal.MaxConcurrentRunsPerAgent(DemoAgents.AdaId));
        Assert.AreEqual(1, sim.Sim.Journal.ActiveRuns);
        Assert.IsTrue(sim.Sim.Runs.TryGet(runId, out var cancelled));
        Assert.AreEqual(SimRunStatus.Cancelled, cancelled.Status);
    }

    [TestMethod]
    public async Task Waits_complete_for_requests_that_arrive_later()
    {
        await using var sim = await SimTest.StartAsync(o => o.PaceMultiplier = 1);
        sim.AddAgent(_ => AgentScript.Create().Say("x").Pause(TimeSpan.FromSeconds(30)));
        var messageSeen = sim.Sim.Journal.WaitForMessageAsync(m => m.UserText == "find me");

        await using var stream = await sim.StreamAsync(SimTest.Body("find me", tokens: true, pings: true, background: true));
        var record = await messageSeen.WaitAsync(SimTest.Timeout);
        var cancelSeen = sim.Sim.Journal.WaitForCancelAsync(record.RunId!);
        Assert.IsFalse(cancelSeen.IsCompleted);
        using var cancel = await sim.PostAsync($"/v1/agents/{SimTest.AgentId}/messages/cancel", $"{{\"run_ids\":[\"{record.RunId}\"]}}");
        var cancelRecord = await cancelSeen.WaitAsync(SimTest.Timeout);

        Assert.AreEqual("messages", record.Route);
        Assert.AreEqual("0b7f6c1e-2a43-4d5e-9f60-7a8b9c0d1e2f", record.Otid);
        Assert.IsTrue(record.Streaming && record.StreamTokens && record.IncludePings && record.Background);
        Assert.IsFalse(record.HasAuthorization);
        Assert.IsNull(record.UserAgent, "HttpClient sends no User-Agent by default");
        CollectionAssert.AreEqual(new[] { record.RunId }, cancelRecord.RunIds!.ToArray());
        Assert.IsGreaterThanOrEqualTo(record.Timestamp, cancelRecord.Timestamp);
    }

    [TestMethod]
    public async Task Waiting_for_a_cancel_can_itself_be_cancelled()
    {
        await using var sim = await SimTest.StartAsync();
        using var stop = new CancellationTokenSource();

        var wait = sim.Sim.Journal.WaitForCancelAsync("run-00000000-0000-4000-8000-000000000000", stop.Token);
        await stop.CancelAsync();

        await Assert.ThrowsAsync<OperationCanceledException>(() => wait.WaitAsync(SimTest.Timeout));
    }
}
