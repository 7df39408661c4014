using LettaSockets.Client.Tests.Support;
using LettaSockets.Simulator;

namespace LettaSockets.Client.Tests.Dotnet;

/// <summary>
/// The .NET client when its gateway goes away under a streaming turn: it reconnects by itself; a
/// resumable turn continues on the new socket from its cursor (the shutdown frame's, or its own after a
/// crash) and the enumeration yields the whole answer once; any other turn ends with a typed error.
/// Each test has its own gateway; the simulator (Letta) runs on throughout.
/// </summary>
[TestClass]
public sealed class ReconnectTests
{
    private static readonly Dictionary<string, string?> s_handOverAtOnce = new()
    {
        ["Sockets:DrainTimeout"] = "00:00:00", // resumable turns are handed over at once, the rest cancelled
    };

    private static readonly LettaSocketsClientOptions s_resumable = new()
    {
        Resumable = ResumableMode.WhenOffered,
        ReconnectBaseDelay = TimeSpan.FromMilliseconds(100),
        ReconnectMaxDelay = TimeSpan.FromSeconds(1),
    };

    /// <summary>300 words at 50 ms × the simulator's 0.2 pace: about 3 s of streaming.</summary>
    private static readonly string s_story = Frames.ManyWords(300);

    private static Func<SimRequest, AgentScript> Storyteller(string text) =>
        _ => AgentScript.Create().Say(text).WithTokenDelay(TimeSpan.FromMilliseconds(50));

    [TestMethod]
    public async Task Server_drops_the_socket_a_non_resumable_turn_ends_with_connection_lost_the_client_reconnects_and_streams_again()
    {
        await using TestGateway gateway = await TestGateway.StartAsync(new Dictionary<string, string?>
        {
            ["Letta:ResumableTurns"] = "false",
            ["Sockets:DrainTimeout"] = "00:00:30", // outlasts the fixture's stop grace: the socket is aborted mid-turn
        });
        string agent = gateway.AddAgent(Storyteller(Frames.ManyWords(1000)));
        await using LettaSocketsClient client = await LettaSocketsClient.ConnectAsync(gateway.BaseUri, agent, s_resumable).WaitAsync(Frames.Wait);
        var streaming = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var states = new List<ConnectionState>();
        client.StateChanged += (_, state) => { lock (states) { states.Add(state); } };

        Task<List<TurnFrame>> cut = Frames.ReadAllBoundedAsync(client.StreamAsync("keep talking"), f => { if (f is ChunkFrame) { streaming.TrySetResult(); } });
        await streaming.Task.WaitAsync(Frames.Wait);
        await gateway.StopServerAsync();

        ErrorFrame lost = Assert.IsInstanceOfType<ErrorFrame>((await cut)[^1]);
        Assert.AreEqual(ClientErrorCodes.ConnectionLost, lost.Code);
        Assert.IsTrue(lost.IsClientSide);
        Assert.IsTrue(lost.Retryable, "sending it again is the way on");

        await gateway.StartServerAsync();
        await client.WaitUntilLiveAsync().WaitAsync(Frames.Wait);
        string after = gateway.AddAgent(_ => AgentScript.Create().Say("back again"));
        List<TurnFrame> again = await Frames.ReadAllBoundedAsync(client.RequestAsync(new MessageRequest("hello") { AgentId = after }));

        Assert.AreEqual("back again", Frames.Text(again));
        lock (states)
        {
            CollectionAssert.IsSubsetOf(new[] { ConnectionState.Reconnecting, ConnectionState.Live }, states);
        }
    }

    [TestMethod]
    public async Task Graceful_restart_the_resumable_turn_resumes_from_the_shutdown_cursor_and_yields_the_whole_answer_once()
    {
        await using TestGateway gateway = await TestGateway.StartAsync(s_handOverAtOnce);
        string agent = gateway.AddAgent(Storyteller(s_story));
        await using LettaSocketsClient client = await LettaSocketsClient.ConnectAsync(gateway.BaseUri, agent, s_resumable).WaitAsync(Frames.Wait);
        Assert.IsTrue(client.Ready.Resumable);
        var streaming = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int chunks = 0;

        Task<List<TurnFrame>> turn = Frames.ReadAllBoundedAsync(client.StreamAsync("tell me a story"), f => { if (f is ChunkFrame && ++chunks == 5) { streaming.TrySetResult(); } });
        await streaming.Task.WaitAsync(Frames.Wait);
        await gateway.StopServerAsync();
        await gateway.StartServerAsync();

        List<TurnFrame> frames = await turn;
        AssertWholeAnswerOnce(frames, s_story);
        string runId = frames.OfType<ChunkFrame>().First().RunId!;
        Assert.IsFalse(gateway.Simulator.Journal.Cancels.Any(c => c.TargetRunIds.Contains(runId)), "the run was never cancelled in Letta");
        Assert.AreEqual(1, gateway.Simulator.Journal.Messages.Count(m => m.AgentId == agent), "resumed, not sent again");
    }

    [TestMethod]
    public async Task Killed_instance_the_resumable_turn_resumes_from_its_own_cursor_and_yields_the_whole_answer_once()
    {
        await using TestGateway gateway = await TestGateway.StartAsync(outOfProcess: true);
        string agent = gateway.AddAgent(Storyteller(s_story));
        await using LettaSocketsClient client = await LettaSocketsClient.ConnectAsync(gateway.BaseUri, agent, s_resumable).WaitAsync(Frames.Wait);
        var streaming = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        int chunks = 0;

        Task<List<TurnFrame>> turn = Frames.ReadAllBoundedAsync(client.StreamAsync("tell me a story"), f => { if (f is ChunkFrame && ++chunks == 5) { streaming.TrySetResult(); } });
        await streaming.Task.WaitAsync(Frames.Wait);
        await gateway.KillServerAsync();
        await gateway.StartServerAsync();

        List<TurnFrame> frames = await turn;
        AssertWholeAnswerOnce(frames, s_story);
        string runId = frames.OfType<ChunkFrame>().First().RunId!;
        Assert.IsFalse(gateway.Simulator.Journal.Cancels.Any(c => c.TargetRunIds.Contains(runId)), "the run was never cancelled in Letta");
        Assert.AreEqual(1, gateway.Simulator.Journal.Messages.Count(m => m.AgentId == agent), "resumed, not sent again");
    }

    [TestMethod]
    public async Task Cancelling_while_the_gateway_is_down_resumes_and_cancels_so_the_run_stops_in_Letta()
    {
        await using TestGateway gateway = await TestGateway.StartAsync(s_handOverAtOnce);
        string agent = gateway.AddAgent(Storyteller(Frames.ManyWords(2000))); // ~20 s: still running after the restart
        var options = new LettaSocketsClientOptions
        {
            Resumable = ResumableMode.WhenOffered,
            ReconnectBaseDelay = TimeSpan.FromMilliseconds(100),
            ReconnectMaxDelay = TimeSpan.FromSeconds(1),
            CancelTimeout = Frames.Wait, // the server's done, not the client's own, is what this test wants
        };
        await using LettaSocketsClient client = await LettaSocketsClient.ConnectAsync(gateway.BaseUri, agent, options).WaitAsync(Frames.Wait);
        var streaming = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        var reconnecting = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        client.StateChanged += (_, state) => { if (state == ConnectionState.Reconnecting) { reconnecting.TrySetResult(); } };
        using var stop = new CancellationTokenSource();

        Task<List<TurnFrame>> turn = Frames.ReadAllBoundedAsync(client.StreamAsync("talk", stop.Token), f => { if (f is ChunkFrame) { streaming.TrySetResult(); } });
        await streaming.Task.WaitAsync(Frames.Wait);
        await gateway.StopServerAsync();
        await reconnecting.Task.WaitAsync(Frames.Wait);
        await stop.CancelAsync();
        await gateway.StartServerAsync();

        List<TurnFrame> frames = await turn;
        DoneFrame done = Assert.IsInstanceOfType<DoneFrame>(frames[^1]);
        Assert.AreEqual("cancelled", done.StopReason);
        Assert.AreEqual("client", done.CancelledBy);
        Assert.IsFalse(done.IsClientSide, "the server's done, after the resume and the cancel");
        using var wait = new CancellationTokenSource(Frames.Wait);
        await gateway.Simulator.Journal.WaitForCancelAsync(frames.OfType<ChunkFrame>().First().RunId!, wait.Token);
    }

    [TestMethod]
    public async Task ResumeAsync_with_a_shutdown_style_cursor_on_another_client_replays_what_follows()
    {
        await using TestGateway gateway = await TestGateway.StartAsync();
        string agent = gateway.AddAgent(_ => AgentScript.Create().Say(Frames.ManyWords(30)).WithTokenDelay(TimeSpan.FromMilliseconds(20)));
        await using LettaSocketsClient first = await LettaSocketsClient.ConnectAsync(gateway.BaseUri, agent, s_resumable).WaitAsync(Frames.Wait);
        List<TurnFrame> whole = await Frames.ReadAllBoundedAsync(first.StreamAsync("count"));
        ChunkFrame[] chunks = [.. whole.OfType<ChunkFrame>()];
        Assert.IsGreaterThan(2, chunks.Length, "streamed in pieces");
        ChunkFrame middle = chunks[chunks.Length / 2];
        Assert.IsNotNull(middle.Seq, "a resumable turn's frames carry seq");

        await using LettaSocketsClient second = await LettaSocketsClient.ConnectAsync(gateway.BaseUri, agent).WaitAsync(Frames.Wait);
        List<TurnFrame> rest = await Frames.ReadAllBoundedAsync(second.ResumeAsync(new TurnCursor(middle.Id!, middle.RunId, middle.Seq!.Value)));

        string prefix = Frames.Text(whole.TakeWhile(f => !ReferenceEquals(f, middle)).Append(middle));
        Assert.AreEqual(Frames.Text(whole), prefix + Frames.Text(rest));
        Assert.AreEqual("end_turn", Assert.IsInstanceOfType<DoneFrame>(rest[^1]).StopReason);
    }

    private static void AssertWholeAnswerOnce(List<TurnFrame> frames, string expected)
    {
        DoneFrame done = Assert.IsInstanceOfType<DoneFrame>(frames[^1], string.Join('\n', frames));
        Assert.AreEqual("end_turn", done.StopReason);
        Assert.AreEqual(expected, Frames.Text(frames), "no word lost or repeated");
        long[] seqs = [.. frames.OfType<ChunkFrame>().Where(c => c.Seq is not null).Select(c => c.Seq!.Value)];
        CollectionAssert.AreEqual(seqs.Order().Distinct().ToArray(), seqs, "each seq once, in order");
        Assert.AreEqual(1, frames.OfType<StatusFrame>().Count(s => s.Status == "thinking"), "the re-attach's thinking is not yielded again");
    }
}
