using LettaSockets.Protocol.Json;
using LettaSockets.Simulator;

namespace LettaSockets.Server.Tests.Sockets;

/// <summary>Resumable turns over Letta background runs (docs/PROTOCOL.md, "Resuming", Letta background runs).</summary>
[TestClass]
public sealed class ResumeTests
{
    private static readonly string Words = string.Join(' ', Enumerable.Range(1, 300).Select(i => $"w{i}"));
    private static TestGateway s_gateway = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext _) => s_gateway = await TestGateway.StartAsync();

    [ClassCleanup]
    public static async Task StopAsync() => await s_gateway.DisposeAsync();

    private static string SlowAgent() => s_gateway.AddAgent(_ => AgentScript.Create().Say(Words).WithTokenDelay(TimeSpan.FromMilliseconds(8)));

    private static Task SendResumableAsync(TestClient client, string id, string agent) =>
        client.SendJsonAsync(new { type = "message", id, content = "go", agent_id = agent, resumable = true });

    private static long LastSeq(IEnumerable<ServerFrame> frames) => frames.Where(f => f.Seq is not null).Max(f => f.Seq!.Value);

    private static async Task<List<ServerFrame>> ResumeAsync(string agent, object resume)
    {
        await using TestClient client = await s_gateway.ConnectAsync(agent);
        await client.SendJsonAsync(resume);
        return await client.ReadUntilAsync(f => f.IsTerminal, TimeSpan.FromSeconds(30));
    }

    [TestMethod]
    public async Task A_dropped_socket_detaches_and_the_turn_resumes_byte_exact_on_another_socket()
    {
        string agent = SlowAgent();
        TestClient first = await s_gateway.ConnectAsync(agent);
        Assert.IsTrue(first.Ready.Resumable);
        await SendResumableAsync(first, "r", agent);
        List<ServerFrame> before = await first.ReadUntilAsync(_ => first.Received.Count(f => f.Type == "chunk") >= 20);
        first.Socket.Abort();
        first.Socket.Dispose();

        Assert.IsTrue(before.Where(f => f.Type == "chunk").All(f => f.Seq is not null), "frames of resumable turns carry seq");
        string runId = before.First(f => f.RunId is not null).RunId!;
        List<ServerFrame> after = await ResumeAsync(agent, new { type = "resume", id = "r", run_id = runId, after_seq = LastSeq(before) });

        Assert.AreEqual("done", after[^1].Type);
        Assert.AreEqual("end_turn", after[^1].StopReason);
        Assert.AreEqual(Words, TestClient.Text(before) + TestClient.Text(after), "nothing lost, nothing repeated");
        Assert.IsFalse(s_gateway.Simulator.Journal.Cancels.Any(c => c.TargetRunIds.Contains(runId)), "a disconnect does not cancel a resumable run");
    }

    [TestMethod]
    public async Task A_turn_cut_mid_tool_call_resumes_with_whole_arguments()
    {
        string arguments = "{\"query\": \"" + string.Join(' ', Enumerable.Repeat("websockets", 30)) + "\"}";
        string agent = s_gateway.AddAgent(_ => AgentScript.Create().ToolCall("search_knowledge", arguments, result: "found").Say("Done looking.").WithTokenDelay(TimeSpan.FromMilliseconds(8)));
        TestClient first = await s_gateway.ConnectAsync(agent);
        await SendResumableAsync(first, "t", agent);
        List<ServerFrame> before = await first.ReadUntilAsync(_ => first.Received.Count(f => f.Type == "tool_call") >= 4);
        first.Socket.Abort();
        first.Socket.Dispose();

        List<ServerFrame> after = await ResumeAsync(agent, new { type = "resume", id = "t", run_id = before.First(f => f.RunId is not null).RunId, after_seq = LastSeq(before) });

        string joined = string.Concat(before.Concat(after).Where(f => f.Type == "tool_call").Select(f => f.Arguments));
        Assert.AreEqual(arguments, joined);
        Assert.AreEqual("found", after.Single(f => f.Type == "tool_result").Result);
        Assert.AreEqual("Done looking.", TestClient.Text(after));
    }

    [TestMethod]
    public async Task A_socket_that_dropped_before_the_run_id_can_resume_by_request_id()
    {
        string agent = SlowAgent();
        s_gateway.Simulator.Faults.Enqueue(SimFault.Delayed(TimeSpan.FromMilliseconds(300)).ForAgent(agent));
        TestClient first = await s_gateway.ConnectAsync(agent);
        await SendResumableAsync(first, "early", agent);
        using (var timeout = new CancellationTokenSource(TestClient.DefaultTimeout))
        {
            await s_gateway.Simulator.Journal.WaitForMessageAsync(m => m.AgentId == agent, timeout.Token);
        }

        first.Socket.Abort();
        first.Socket.Dispose();
        Assert.IsFalse(first.Received.Any(f => f.RunId is not null), "the client never learnt the run id");

        List<ServerFrame> after = await ResumeAsync(agent, new { type = "resume", id = "early", after_seq = 0 });

        Assert.AreEqual("done", after[^1].Type);
        Assert.AreEqual(Words, TestClient.Text(after));
    }

    [TestMethod]
    public async Task Resume_by_request_id_finds_that_turns_own_run_not_a_newer_one()
    {
        string agent = s_gateway.AddAgent(r => AgentScript.Create().Say("answer to " + r.UserText));
        await using (TestClient client = await s_gateway.ConnectAsync(agent))
        {
            await client.SendJsonAsync(new { type = "message", id = "older", content = "first", resumable = true });
            Assert.AreEqual("done", (await client.ReadTurnAsync("older"))[^1].Type);
            await client.SendJsonAsync(new { type = "message", id = "newer", content = "second", resumable = true });
            Assert.AreEqual("done", (await client.ReadTurnAsync("newer"))[^1].Type);
        }

        // The client lost "older"'s run id: it resumes by its request id. The agent's newest run is "newer"'s.
        List<ServerFrame> replay = await ResumeAsync(agent, new { type = "resume", id = "older", after_seq = 0 });

        Assert.AreEqual("done", replay[^1].Type);
        Assert.AreEqual("answer to first", TestClient.Text(replay), "the turn's own run (matched by its input's otid), never the newest");
    }

    [TestMethod]
    public async Task Resume_by_a_request_id_that_never_ran_is_run_not_found()
    {
        string agent = s_gateway.AddAgent(r => AgentScript.Create().Say("answer to " + r.UserText));
        await using (TestClient client = await s_gateway.ConnectAsync(agent))
        {
            await client.SendJsonAsync(new { type = "message", id = "real", content = "hello", resumable = true });
            Assert.AreEqual("done", (await client.ReadTurnAsync("real"))[^1].Type);
        }

        ServerFrame ghost = (await ResumeAsync(agent, new { type = "resume", id = "ghost", after_seq = 0 }))[^1];

        Assert.AreEqual("error", ghost.Type);
        Assert.AreEqual("run_not_found", ghost.Code, "not another turn's run");
        Assert.IsFalse(ghost.Retryable);
    }

    [TestMethod]
    public async Task Resuming_a_finished_run_from_seq_0_replays_all_of_it()
    {
        string agent = s_gateway.AddAgent(_ => AgentScript.Create().Reasoning("thinking it over").Say("final answer"));
        await using TestClient client = await s_gateway.ConnectAsync(agent);
        await SendResumableAsync(client, "f", agent);
        List<ServerFrame> original = await client.ReadTurnAsync("f");
        string runId = original.First(f => f.RunId is not null).RunId!;

        List<ServerFrame> replay = await ResumeAsync(agent, new { type = "resume", id = "again", run_id = runId, after_seq = 0 });

        Assert.AreEqual("final answer", TestClient.Text(replay));
        Assert.AreEqual("thinking it over", string.Concat(replay.Where(f => f.Type == "reasoning").Select(f => f.Content)));
        Assert.AreEqual("done", replay[^1].Type);
        Assert.IsTrue(replay.Where(f => f.Type == "chunk").All(f => f.Seq > 0));
    }

    [TestMethod]
    public async Task Unknown_and_non_background_runs_are_typed_errors()
    {
        string agent = SlowAgent();

        ServerFrame unknown = (await ResumeAsync(agent, new { type = "resume", id = "u", run_id = $"run-{Guid.NewGuid()}", after_seq = 3 }))[^1];
        Assert.AreEqual("run_not_found", unknown.Code);
        Assert.AreEqual("u", unknown.Id);

        await using TestClient client = await s_gateway.ConnectAsync(DemoAgents.AdaId);
        await client.SendMessageAsync("fg", "count to 3");
        string runId = (await client.ReadTurnAsync("fg")).First(f => f.RunId is not null).RunId!;
        ServerFrame foreground = (await ResumeAsync(DemoAgents.AdaId, new { type = "resume", id = "n", run_id = runId, after_seq = 0 }))[^1];
        Assert.AreEqual("not_resumable", foreground.Code);
    }

    [TestMethod]
    public async Task An_explicit_cancel_still_stops_a_resumable_run_in_letta()
    {
        string agent = SlowAgent();
        await using TestClient client = await s_gateway.ConnectAsync(agent);
        await SendResumableAsync(client, "c", agent);
        string runId = (await client.ReadUntilAsync(f => f.Type == "chunk"))[^1].RunId!;

        await client.CancelAsync("c");
        Assert.AreEqual("client", (await client.ReadTurnAsync("c"))[^1].CancelledBy);

        using var timeout = new CancellationTokenSource(TestClient.DefaultTimeout);
        await s_gateway.Simulator.Journal.WaitForCancelAsync(runId, timeout.Token);
    }

    [TestMethod]
    public async Task A_broken_stream_leaves_a_resumable_run_alone_and_it_can_be_resumed()
    {
        string agent = SlowAgent();
        s_gateway.Simulator.Faults.Enqueue(SimFault.CutOff(afterEvents: 12).ForAgent(agent));
        await using TestClient client = await s_gateway.ConnectAsync(agent);
        await SendResumableAsync(client, "b", agent);
        List<ServerFrame> before = await client.ReadTurnAsync("b");
        Assert.AreEqual("upstream_unavailable", before[^1].Code);
        string runId = before.First(f => f.RunId is not null).RunId!;

        await client.SendJsonAsync(new { type = "resume", id = "b2", run_id = runId, after_seq = LastSeq(before) });
        List<ServerFrame> after = await client.ReadTurnAsync("b2", TimeSpan.FromSeconds(30));

        Assert.AreEqual("done", after[^1].Type);
        Assert.AreEqual(Words, TestClient.Text(before) + TestClient.Text(after));
        Assert.IsFalse(s_gateway.Simulator.Journal.Cancels.Any(c => c.TargetRunIds.Contains(runId)), "the gateway does not cancel a run the client can still resume");
    }

    [TestMethod]
    public async Task An_expired_run_is_run_expired()
    {
        await using TestGateway gateway = await TestGateway.StartAsync(simulator: o => o.RunRetention = TimeSpan.FromTicks(1));
        string agent = gateway.AddAgent(_ => AgentScript.Create().Say("short"));
        await using TestClient client = await gateway.ConnectAsync(agent);
        await client.SendJsonAsync(new { type = "message", id = "e", content = "go", resumable = true });
        string runId = (await client.ReadTurnAsync("e")).First(f => f.RunId is not null).RunId!;

        await client.SendJsonAsync(new { type = "resume", id = "e2", run_id = runId, after_seq = 1 });

        Assert.AreEqual("run_expired", (await client.ReadTurnAsync("e2"))[^1].Code);
    }
}
