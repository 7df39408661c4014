using System.Text.Json;
using LettaSockets.Browser.Tests.Support;
using LettaSockets.Simulator;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LettaSockets.Browser.Tests.Page;

/// <summary>
/// A graceful restart under a streaming turn: the page sends its messages as resumable, the server
/// hands the turn over in its <c>shutdown</c> frame, and after the reconnect the page re-attaches
/// (<c>resume</c> with the turn's id, run id and last <c>seq</c>) and keeps filling the same bubble.
/// </summary>
[TestClass]
public sealed class ResumeTests : ResumePageTest
{
    private static readonly Dictionary<string, string?> s_handOverAtOnce = new()
    {
        ["Sockets:DrainTimeout"] = "00:00:00", // resumable turns are handed over at once, the rest cancelled
    };

    [TestMethod]
    public async Task Graceful_restart_resumes_from_the_shutdown_cursor_and_the_bubble_ends_with_the_exact_text()
    {
        await using TestGateway gateway = await PageGateway.StartAsync(s_handOverAtOnce);
        string agent = gateway.AddAgent(name: "Storyteller", behaviour: Storyteller(Story));
        var sockets = new SocketLog(Page);
        await OpenChatAsync(agent, gateway.BaseUri);
        (ILocator turn, string turnId, string runId) = await StartStreamingAsync();
        SocketFrame message = await sockets.WaitForAsync("message", sent: true, Wait);
        Assert.IsTrue(message.Bool("resumable"), $"ready.resumable is true, so the page asks for a resumable turn: {message}");

        await gateway.StopServerAsync();

        await WaitForInterruptedAsync(turn, Story);
        await Expect(turn.Locator(".badge.interrupted")).ToHaveTextAsync("Interrupted: resumes when the connection is back");
        // The server handed the turn over with a cursor that is exactly what the page has seen.
        SocketFrame shutdown = await sockets.WaitForAsync("shutdown", sent: false, Wait);
        JsonElement cursor = shutdown.Json.GetProperty("resume").EnumerateArray().Single();
        Assert.AreEqual(turnId, cursor.GetProperty("id").GetString());
        Assert.AreEqual(runId, cursor.GetProperty("run_id").GetString());
        long afterSeq = cursor.GetProperty("after_seq").GetInt64();
        Assert.AreEqual(afterSeq, await LastSeqAsync(turn));
        Assert.AreEqual(afterSeq, MaxSeqReceived(sockets, socket: 1, turnId), "the cursor is the highest seq the page received");

        await gateway.StartServerAsync();

        SocketFrame resume = await sockets.WaitForAsync("resume", sent: true, TimeSpan.FromSeconds(20));
        Assert.IsGreaterThan(1, resume.Socket, "resumed on a new socket");
        Assert.AreEqual(turnId, resume.Id);
        Assert.AreEqual(runId, resume.String("run_id"));
        Assert.AreEqual(afterSeq, resume.Long("after_seq"));
        Assert.AreEqual(agent, resume.String("agent_id"));
        await AssertEndsWithTheWholeStoryAsync(turn, sockets, turnId, afterSeq);
        Assert.IsFalse(gateway.Simulator.Journal.Cancels.Any(c => c.TargetRunIds.Contains(runId)), "the run was never cancelled in Letta");
    }

    [TestMethod]
    public async Task Stop_on_a_resumed_turn_cancels_it_by_id_and_the_run_in_Letta()
    {
        await using TestGateway gateway = await PageGateway.StartAsync(s_handOverAtOnce);
        string full = Scripts.ManyWords(2000); // ~20 s: still running long after the restart
        string agent = gateway.AddAgent(name: "Storyteller", behaviour: Storyteller(full));
        var sockets = new SocketLog(Page);
        await OpenChatAsync(agent, gateway.BaseUri);
        (ILocator turn, string turnId, string runId) = await StartStreamingAsync("tell me a very long story");

        await gateway.StopServerAsync();
        int wordsAtCut = (await WaitForInterruptedAsync(turn, full)).Split(' ').Length;
        await gateway.StartServerAsync();

        // Resumed, and streaming again: words after the cut arrive in the same bubble.
        await Expect(turn.Locator(".badge.resumed")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await Expect(turn).ToHaveAttributeAsync("data-state", "streaming");
        await Expect(AnswerText(turn)).ToContainTextAsync($"word{wordsAtCut + 20}");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Stop" }).ClickAsync();

        await WaitForStateAsync(turn, "stopped");
        SocketFrame cancel = await sockets.WaitForAsync("cancel", sent: true, Wait);
        Assert.IsGreaterThan(1, cancel.Socket, "sent on the new socket");
        Assert.AreEqual(turnId, cancel.Id);
        using var timeout = new CancellationTokenSource(Wait);
        await gateway.Simulator.Journal.WaitForCancelAsync(runId, timeout.Token);
        await Expect(turn).ToHaveAttributeAsync("data-cancelled-by", "client");
        StringAssert.StartsWith(full, await TextOf(turn));
        await Expect(Page.Locator("#stop")).ToBeHiddenAsync();
    }

    [TestMethod]
    public Task ResumeRefusedAsBusy_RetryReattaches_AndTheBubbleEndsWithTheExactText() =>
        RetryAFailedResumeAsync(SimFault.Http(409), "busy");

    [TestMethod]
    public Task ResumeFailsWithLettaUnavailable_RetryReattaches_AndTheBubbleEndsWithTheExactText() =>
        RetryAFailedResumeAsync(SimFault.Http(503).Repeat(3), "upstream_unavailable"); // every attempt of the gateway's retries

    /// <summary>The re-attach fails with a retryable error: the page shows it with Retry, and Retry resumes
    /// the same turn again from the same cursor — it never sends the user's message a second time.</summary>
    private async Task RetryAFailedResumeAsync(SimFault fault, string code)
    {
        await using TestGateway gateway = await PageGateway.StartAsync(s_handOverAtOnce);
        string agent = gateway.AddAgent(name: "Storyteller", behaviour: Storyteller(Story));
        var sockets = new SocketLog(Page);
        await OpenChatAsync(agent, gateway.BaseUri);
        (ILocator turn, string turnId, string runId) = await StartStreamingAsync();

        await gateway.StopServerAsync();
        await WaitForInterruptedAsync(turn, Story);
        long afterSeq = await LastSeqAsync(turn);
        gateway.Simulator.Faults.Enqueue(fault.ForAgent(agent).OnRunStream());
        await gateway.StartServerAsync();

        await WaitForStateAsync(turn, "error");
        ILocator card = turn.Locator(".error-card");
        await Expect(card).ToHaveAttributeAsync("data-code", code);
        Assert.IsFalse(gateway.Simulator.Journal.Cancels.Any(c => c.TargetRunIds.Contains(runId)),
            "a resume that could not re-attach must leave the background run alone: it can be resumed again");
        int messagesBefore = gateway.Simulator.Journal.Messages.Count;
        await card.GetByRole(AriaRole.Button, new() { Name = "Retry" }).ClickAsync();

        SocketFrame second = await sockets.WaitForAsync(f => f.Sent && f.Type == "resume" && sockets.Frames.Count(r => r.Sent && r.Type == "resume") >= 2, Wait);
        Assert.AreEqual(turnId, second.Id);
        Assert.AreEqual(runId, second.String("run_id"));
        Assert.AreEqual(afterSeq, second.Long("after_seq"));
        await AssertEndsWithTheWholeStoryAsync(turn, sockets, turnId, afterSeq);
        await Expect(card).ToHaveCountAsync(0);
        Assert.AreEqual(messagesBefore, gateway.Simulator.Journal.Messages.Count, "no new message reached Letta");
        Assert.AreEqual(1, sockets.Frames.Count(f => f.Sent && f.Type == "message"));
    }

    [TestMethod]
    public async Task Resume_refused_run_expired_is_shown_inline_without_retry_and_keeps_the_text_so_far()
    {
        await using TestGateway gateway = await PageGateway.StartAsync(s_handOverAtOnce);
        string agent = gateway.AddAgent(name: "Storyteller", behaviour: Storyteller(Story));
        await OpenChatAsync(agent, gateway.BaseUri);
        (ILocator turn, _, _) = await StartStreamingAsync();

        await gateway.StopServerAsync();
        string atCut = await WaitForInterruptedAsync(turn, Story);
        // Letta answers the re-attach with 410 Gone: the run's log is no longer kept (Letta keeps a background run's stream for a limited time).
        gateway.Simulator.Faults.Enqueue(SimFault.Http(410).ForAgent(agent).OnRunStream());
        await gateway.StartServerAsync();

        await WaitForStateAsync(turn, "error");
        ILocator card = turn.Locator(".error-card");
        await Expect(card).ToHaveAttributeAsync("data-code", "run_expired");
        await Expect(card.Locator(".error-code")).ToHaveTextAsync("run_expired");
        await Expect(card.GetByRole(AriaRole.Button, new() { Name = "Retry" })).ToHaveCountAsync(0);
        await Expect(turn.Locator(".badge.resumed")).ToHaveCountAsync(0);
        Assert.AreEqual(atCut, await TextOf(turn), "the text shown before the cut stays, nothing added");
        await Expect(Page.Locator("#stop")).ToBeHiddenAsync();
        Assert.AreEqual(0, gateway.Simulator.Faults.Pending.Count, "the fault was used by the resume");
    }
}
