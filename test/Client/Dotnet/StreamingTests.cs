using System.Text.Json;
using LettaSockets.Client.Tests.Support;
using LettaSockets.Simulator;

namespace LettaSockets.Client.Tests.Dotnet;

/// <summary>The .NET client against the real gateway and its simulator: streaming, turns at once, cancel, approvals, ping.</summary>
[TestClass]
public sealed class StreamingTests
{
    private static TestGateway s_gateway = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext _) => s_gateway = await TestGateway.StartAsync();

    [ClassCleanup]
    public static async Task StopAsync() => await s_gateway.DisposeAsync();

    private static Task<LettaSocketsClient> ConnectAsync(string? agentId, LettaSocketsClientOptions? options = null) =>
        LettaSocketsClient.ConnectAsync(s_gateway.BaseUri, agentId, options).WaitAsync(Frames.Wait);

    [TestMethod]
    public async Task StreamAsync_yields_typed_frames_the_text_exactly_and_ends_with_done()
    {
        const string answer = "Hello from a scripted agent, token by token.";
        string agent = s_gateway.AddAgent(_ => AgentScript.Create().Say(answer).WithTokenDelay(TimeSpan.FromMilliseconds(20)));
        await using LettaSocketsClient client = await ConnectAsync(agent);

        List<TurnFrame> frames = await Frames.ReadAllBoundedAsync(client.StreamAsync("Hello"));

        Assert.AreEqual(agent, client.Ready.AgentId);
        Assert.IsGreaterThan(0, client.Ready.MaxContentChars, "the ready frame's limits are read");
        Assert.IsInstanceOfType<StatusFrame>(frames[0]);
        Assert.AreEqual("thinking", ((StatusFrame)frames[0]).Status);
        Assert.AreEqual(answer, Frames.Text(frames));
        Assert.IsGreaterThan(1, frames.OfType<ChunkFrame>().Count(), "streamed in pieces");
        DoneFrame done = Assert.IsInstanceOfType<DoneFrame>(frames[^1]);
        Assert.AreEqual("end_turn", done.StopReason);
        Assert.IsNotNull(done.Metrics);
        Assert.IsTrue(frames.All(f => f.Id == done.Id && f.AgentId == agent), "every frame is the turn's");
        Assert.AreEqual(1, frames.Count(f => f.IsTerminal));
    }

    [TestMethod]
    public async Task Several_turns_at_once_on_two_agents_of_one_socket_each_gets_its_own_text()
    {
        string first = Frames.ManyWords(40);
        string second = "the second agent's answer";
        string a = s_gateway.AddAgent(_ => AgentScript.Create().Say(first).WithTokenDelay(TimeSpan.FromMilliseconds(5)));
        string b = s_gateway.AddAgent(_ => AgentScript.Create().Say(second).WithTokenDelay(TimeSpan.FromMilliseconds(5)));
        await using LettaSocketsClient client = await ConnectAsync(a);

        Task<List<TurnFrame>> one = Frames.ReadAllBoundedAsync(client.StreamAsync("one"));
        Task<List<TurnFrame>> two = Frames.ReadAllBoundedAsync(client.RequestAsync(new MessageRequest("two") { AgentId = b }));
        await Task.WhenAll(one, two);

        Assert.AreEqual(first, Frames.Text(await one));
        Assert.AreEqual(second, Frames.Text(await two));
        Assert.IsTrue((await two).All(f => f.AgentId == b));
        Assert.AreNotEqual((await one)[0].Id, (await two)[0].Id);
        Assert.IsTrue(s_gateway.Simulator.Journal.Messages.Any(m => m.AgentId == a) && s_gateway.Simulator.Journal.Messages.Any(m => m.AgentId == b));
    }

    [TestMethod]
    public async Task Cancelling_the_token_sends_cancel_ends_with_done_cancelled_and_the_run_is_cancelled_in_Letta()
    {
        string full = Frames.ManyWords(2000);
        string agent = s_gateway.AddAgent(_ => AgentScript.Create().Say(full).WithTokenDelay(TimeSpan.FromMilliseconds(20)));
        await using LettaSocketsClient client = await ConnectAsync(agent);
        using var stop = new CancellationTokenSource();
        string? runId = null;

        List<TurnFrame> frames = await Frames.ReadAllBoundedAsync(client.StreamAsync("talk", stop.Token), frame =>
        {
            if (frame is ChunkFrame { RunId: { } run } && runId is null)
            {
                runId = run;
                stop.Cancel();
            }
        });

        DoneFrame done = Assert.IsInstanceOfType<DoneFrame>(frames[^1]);
        Assert.AreEqual("cancelled", done.StopReason);
        Assert.AreEqual("client", done.CancelledBy);
        Assert.IsFalse(done.IsClientSide, "the server's own done");
        Assert.IsTrue(Frames.Text(frames).Length < full.Length);
        StringAssert.StartsWith(full, Frames.Text(frames));
        using var wait = new CancellationTokenSource(Frames.Wait);
        await s_gateway.Simulator.Journal.WaitForCancelAsync(runId!, wait.Token);
    }

    [TestMethod]
    public async Task Leaving_the_loop_early_cancels_the_run_in_Letta()
    {
        string agent = s_gateway.AddAgent(_ => AgentScript.Create().Say(Frames.ManyWords(2000)).WithTokenDelay(TimeSpan.FromMilliseconds(20)));
        await using LettaSocketsClient client = await ConnectAsync(agent);

        string? runId = await FirstRunIdAsync(client.StreamAsync("talk")).WaitAsync(Frames.Wait);

        Assert.IsNotNull(runId);
        using var wait = new CancellationTokenSource(Frames.Wait);
        await s_gateway.Simulator.Journal.WaitForCancelAsync(runId, wait.Token);

        static async Task<string?> FirstRunIdAsync(IAsyncEnumerable<TurnFrame> turn)
        {
            await foreach (TurnFrame frame in turn)
            {
                if (frame is ChunkFrame chunk)
                {
                    return chunk.RunId;
                }
            }

            return null;
        }
    }

    [TestMethod]
    public async Task Approval_request_then_ApproveAsync_runs_the_tool_and_the_denial_reason_reaches_Letta()
    {
        await using LettaSocketsClient client = await ConnectAsync(DemoAgents.ApproverId);

        List<TurnFrame> asked = await Frames.ReadAllBoundedAsync(client.StreamAsync("delete /tmp/a.txt"));
        ApprovalRequestFrame request = asked.OfType<ApprovalRequestFrame>().Single();
        Assert.AreEqual("delete_file", request.Name);
        Assert.AreEqual("requires_approval", Assert.IsInstanceOfType<DoneFrame>(asked[^1]).StopReason);

        List<TurnFrame> approved = await Frames.ReadAllBoundedAsync(client.ApproveAsync(request.ToolCallId, approve: true));
        Assert.AreEqual("success", approved.OfType<ToolResultFrame>().Single().Status);
        StringAssert.Contains(Frames.Text(approved), "deleted `/tmp/a.txt`");
        Assert.IsTrue(s_gateway.Simulator.Journal.Messages.Any(m => m.Approvals.Any(a => a.ToolCallId == request.ToolCallId && a.Approve)));

        List<TurnFrame> again = await Frames.ReadAllBoundedAsync(client.StreamAsync("delete /tmp/b.txt"));
        ApprovalRequestFrame second = again.OfType<ApprovalRequestFrame>().Single();
        List<TurnFrame> denied = await Frames.ReadAllBoundedAsync(client.ApproveAsync(second.ToolCallId, approve: false, reason: "keep it"));
        StringAssert.Contains(Frames.Text(denied), "reason: keep it");
    }

    [TestMethod]
    public async Task Message_options_conversation_and_pacing_are_sent_and_an_unknown_conversation_is_a_typed_error()
    {
        string agent = s_gateway.AddAgent(_ => AgentScript.Create().Say("paced"));
        await using LettaSocketsClient client = await ConnectAsync(agent);

        List<TurnFrame> paced = await Frames.ReadAllBoundedAsync(client.RequestAsync(new MessageRequest("go") { Id = "paced-1", MaxCharsPerSecond = 1000 }));
        List<TurnFrame> missing = await Frames.ReadAllBoundedAsync(client.RequestAsync(new MessageRequest("go") { ConversationId = "conv-00000000-0000-4000-8000-00000000dead" }));

        Assert.AreEqual("paced", Frames.Text(paced));
        Assert.IsTrue(paced.All(f => f.Id == "paced-1"), "the request's own id");
        ErrorFrame error = Assert.IsInstanceOfType<ErrorFrame>(missing.Single(f => f.IsTerminal));
        Assert.AreEqual("conversation_not_found", error.Code);
        Assert.IsFalse(error.IsClientSide);
    }

    [TestMethod]
    public async Task A_request_kind_of_its_own_history_is_sent_through_RequestAsync_and_ends_with_its_answer()
    {
        string agent = s_gateway.AddAgent(_ => AgentScript.Create().Say("remember this"));
        await using LettaSocketsClient client = await ConnectAsync(agent);
        await Frames.ReadAllBoundedAsync(client.StreamAsync("hello"));

        List<TurnFrame> frames = await Frames.ReadAllBoundedAsync(client.RequestAsync(new HistoryRequest(10) { Id = "h1" }));

        OtherTurnFrame history = Assert.IsInstanceOfType<OtherTurnFrame>(frames.Single(), string.Join('\n', frames));
        Assert.AreEqual("history", history.Type);
        Assert.AreEqual("h1", history.Id);
        Assert.IsTrue(history.IsTerminal, "history answers the request, as done would");
        StringAssert.Contains(history.Json, "remember this");
    }

    [TestMethod]
    public async Task PingAsync_is_answered_by_pong()
    {
        await using LettaSocketsClient client = await ConnectAsync(null);

        TimeSpan roundTrip = await client.PingAsync().WaitAsync(Frames.Wait);

        Assert.IsGreaterThan(TimeSpan.Zero, roundTrip);
        Assert.AreEqual(ConnectionState.Live, client.State);
    }

    /// <summary>A request kind the client has no type for: what a caller (or a later version) adds.</summary>
    private sealed record HistoryRequest(int Limit) : TurnRequest
    {
        public override string Type => "history";

        // "protected internal" only because this assembly sees the client's internals; elsewhere it is "protected".
        protected internal override void WriteFields(Utf8JsonWriter writer) => writer.WriteNumber("limit", Limit);
    }
}
