using System.Net;
using System.Text.Json;
using LettaSockets.Simulator.Tests.TestSupport;

namespace LettaSockets.Simulator.Tests.Http;

[TestClass]
public sealed class CancelTests
{
    private const string Spaced = "{\"message_type\": \"stop_reason\", \"stop_reason\": \"cancelled\"}";

    private static readonly string s_longText = string.Join(" ", Enumerable.Range(1, 400).Select(i => $"word{i}"));

    [TestMethod]
    public async Task Cancel_mid_stream_ends_with_the_spaced_stop_reason_and_eof()
    {
        await using var sim = await SimTest.StartAsync(o => o.PaceMultiplier = 1);
        sim.AddAgent(_ => AgentScript.Create().Say(s_longText).WithTokenDelay(TimeSpan.FromMilliseconds(10)));
        await using var stream = await sim.StreamAsync(SimTest.Body("hi"));
        var before = await stream.ReadUntilAsync(e => e.MessageType == "assistant_message");
        var runId = before[0].Str("run_id")!;

        using var cancel = await sim.PostAsync($"/v1/agents/{SimTest.AgentId}/messages/cancel", null);
        var rest = await stream.ReadToEndAsync();

        Assert.AreEqual(HttpStatusCode.OK, cancel.StatusCode);
        Assert.AreEqual($"{{\"{runId}\":\"cancelled\"}}", await cancel.Content.ReadAsStringAsync());
        Assert.AreEqual(Spaced, rest[^1].Data, "pattern B: json.dumps spacing");
        Assert.IsFalse(rest.Any(e => e.IsDone || e.MessageType == "usage_statistics"), rest.Types());
        Assert.IsLessThan(390, rest.Count, "the run stopped long before its script ended");
        var record = await sim.Sim.Journal.WaitForCancelAsync(runId).WaitAsync(SimTest.Timeout);
        Assert.IsNull(record.RunIds);
        var run = JsonDocument.Parse(await sim.GetStringAsync($"/v1/runs/{runId}")).RootElement;
        Assert.AreEqual("cancelled", run.GetProperty("status").GetString());
        Assert.AreEqual("cancelled", run.GetProperty("stop_reason").GetString());
    }

    [TestMethod]
    public async Task Cancel_seen_at_a_step_boundary_ends_normally_with_usage_and_done()
    {
        // A poll interval longer than the test: only the agent loop's step check can notice the cancel.
        await using var sim = await SimTest.StartAsync(o =>
        {
            o.PaceMultiplier = 1;
            o.CancelPollInterval = TimeSpan.FromHours(1);
        });
        sim.AddAgent(_ => AgentScript.Create().Say("first").Pause(TimeSpan.FromSeconds(1)).NextStep().Say("second"));
        await using var stream = await sim.StreamAsync(SimTest.Body("hi"));
        var before = await stream.ReadUntilAsync(e => e.MessageType == "assistant_message");

        using var cancel = await sim.PostAsync(
            $"/v1/agents/{SimTest.AgentId}/messages/cancel", $"{{\"run_ids\":[\"{before[0].Str("run_id")}\"]}}");
        var rest = await stream.ReadToEndAsync();

        Assert.AreEqual(HttpStatusCode.OK, cancel.StatusCode);
        Assert.AreEqual("stop_reason,usage_statistics,[DONE]", rest.Types());
        Assert.AreEqual("{\"message_type\":\"stop_reason\",\"stop_reason\":\"cancelled\"}", rest[0].Data);
        Assert.AreEqual(1, sim.Sim.Journal.Cancels.Single().RunIds!.Count);
    }

    [TestMethod]
    public async Task Closing_the_response_does_not_stop_the_run()
    {
        await using var sim = await SimTest.StartAsync(o => o.PaceMultiplier = 1);
        sim.AddAgent(_ => AgentScript.Create().Say(string.Join(" ", Enumerable.Range(1, 100))).WithTokenDelay(TimeSpan.FromMilliseconds(10)));
        var stream = await sim.StreamAsync(SimTest.Body("hi"));
        var ping = await stream.ReadEventAsync();
        Assert.IsTrue(sim.Sim.Runs.TryGet(ping!.Str("run_id")!, out var run));

        await stream.DisposeAsync();

        Assert.AreEqual(SimRunStatus.Running, run.Status, "still running right after the client left");
        await run.Completion.WaitAsync(SimTest.Timeout);
        Assert.AreEqual(SimRunStatus.Completed, run.Status);
        Assert.AreEqual("end_turn", run.StopReason);
        Assert.AreEqual(RunChunkKind.Done, run.Chunks[^1].Kind, "the whole script was played");
        Assert.IsEmpty(sim.Sim.Journal.Cancels);
    }

    [TestMethod]
    public async Task Cancel_with_nothing_active_is_409()
    {
        await using var sim = await SimTest.StartAsync();
        sim.AddAgent(_ => AgentScript.Create().Say("x"));

        using var response = await sim.PostAsync($"/v1/agents/{SimTest.AgentId}/messages/cancel", "{}");

        Assert.AreEqual(HttpStatusCode.Conflict, response.StatusCode);
        Assert.AreEqual(
            $"{{\"detail\":\"CONFLICT: No active runs to cancel for agent {SimTest.AgentId}\"}}",
            await response.Content.ReadAsStringAsync());
        Assert.AreEqual(409, sim.Sim.Journal.Cancels.Single().StatusCode);
    }

    [TestMethod]
    public async Task Cancelling_finished_or_unknown_runs_reports_them_without_failing()
    {
        await using var sim = await SimTest.StartAsync();
        sim.AddAgent(_ => AgentScript.Create().Say("x"));
        var events = await sim.StreamToEndAsync(SimTest.Body("hi"));
        var finished = events[0].Str("run_id");
        const string Unknown = "run-99999999-9999-4999-8999-999999999999";

        using var response = await sim.PostAsync(
            $"/v1/agents/{SimTest.AgentId}/messages/cancel", $"{{\"run_ids\":[\"{finished}\",\"{Unknown}\"]}}");

        Assert.AreEqual($"{{\"{finished}\":\"cancelled\",\"{Unknown}\":\"failed\"}}", await response.Content.ReadAsStringAsync());
        Assert.IsTrue(sim.Sim.Runs.TryGet(finished!, out var run));
        Assert.AreEqual(SimRunStatus.Completed, run.Status, "a finished run stays as it was");
    }
}
