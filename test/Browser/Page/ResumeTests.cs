using System.Text.Json;
using LettaSockets.Browser.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LettaSockets.Browser.Tests.Page;

/// <summary>
/// Resumable turns across a lost server: the page sends its messages as resumable, and after the
/// reconnect it re-attaches every cut-off turn (<c>resume</c> with the turn's id, run id and last
/// <c>seq</c>) and keeps filling the same bubble. Each test has its own gateway, because it takes
/// that gateway down under the page; the simulator (Letta) keeps running the whole time.
/// </summary>
[TestClass]
public sealed class ResumeTests : ChatPageTest
{
    private static readonly TimeSpan s_wait = TimeSpan.FromMilliseconds(Timeout);

    /// <summary>300 words at 10 ms a token (50 ms scripted × the simulator's 0.2 pace): about 3 s of streaming.</summary>
    private static readonly string s_story = Scripts.ManyWords(300);

    [TestMethod]
    public async Task GracefulRestart_ResumesFromTheShutdownCursor_AndTheBubbleEndsWithTheExactText()
    {
        await using BrowserGateway gateway = await BrowserGateway.StartAsync(new Dictionary<string, string?>
        {
            ["Sockets:DrainTimeout"] = "00:00:00", // hand resumable turns over at once
        });
        string agent = gateway.AddAgent("Storyteller", Scripts.Slow(s_story, tokenDelayMs: 50));
        var sockets = new SocketLog(Page);
        await OpenChatAsync(agent, gateway.BaseUri);

        ILocator turn = await SendAsync("tell me a long story");
        string turnId = (await turn.GetAttributeAsync("data-turn-id"))!;
        await Expect(AnswerText(turn)).ToContainTextAsync("word3");
        SocketFrame message = await sockets.WaitForAsync("message", sent: true, s_wait);
        Assert.IsTrue(message.Bool("resumable"), $"ready.resumable is true, so the page asks for a resumable turn: {message}");
        string runId = (await turn.GetAttributeAsync("data-run-id"))!;

        await gateway.StopServerAsync();

        await WaitForStateAsync(turn, "interrupted");
        await Expect(turn.Locator(".badge.interrupted")).ToHaveTextAsync("Interrupted: resumes when the connection is back");
        string atCut = await TextOf(turn);
        Assert.IsTrue(atCut.Length < s_story.Length, "The whole reply arrived before the restart; the test proves nothing.");
        StringAssert.StartsWith(s_story, atCut);
        // The server handed the turn over with a cursor that is exactly what the page has seen.
        SocketFrame shutdown = await sockets.WaitForAsync("shutdown", sent: false, s_wait);
        JsonElement cursor = shutdown.Json.GetProperty("resume").EnumerateArray().Single();
        Assert.AreEqual(turnId, cursor.GetProperty("id").GetString());
        Assert.AreEqual(runId, cursor.GetProperty("run_id").GetString());
        long afterSeq = cursor.GetProperty("after_seq").GetInt64();
        Assert.AreEqual(afterSeq.ToString(System.Globalization.CultureInfo.InvariantCulture), await turn.GetAttributeAsync("data-last-seq"));
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
    public async Task ServerKilled_PageResumesFromItsOwnLastSeq_AndTheBubbleEndsWithTheExactText()
    {
        // A child-process gateway, killed with SIGKILL: no drain, no shutdown frame, the socket just breaks.
        await using BrowserGateway gateway = await BrowserGateway.StartAsync(outOfProcess: true);
        string agent = gateway.AddAgent("Storyteller", Scripts.Slow(s_story, tokenDelayMs: 50));
        var sockets = new SocketLog(Page);
        await OpenChatAsync(agent, gateway.BaseUri);

        ILocator turn = await SendAsync("tell me a long story");
        string turnId = (await turn.GetAttributeAsync("data-turn-id"))!;
        await Expect(AnswerText(turn)).ToContainTextAsync("word3");
        string runId = (await turn.GetAttributeAsync("data-run-id"))!;

        await gateway.KillServerAsync();

        await WaitForStateAsync(turn, "interrupted");
        string atCut = await TextOf(turn);
        Assert.IsTrue(atCut.Length < s_story.Length, "The whole reply arrived before the kill; the test proves nothing.");
        long lastSeq = long.Parse((await turn.GetAttributeAsync("data-last-seq"))!, System.Globalization.CultureInfo.InvariantCulture);
        Assert.AreEqual(lastSeq, MaxSeqReceived(sockets, socket: 1, turnId));
        Assert.IsFalse(sockets.Frames.Any(f => f.Type == "shutdown"), "a killed server says nothing");

        await gateway.StartServerAsync();

        SocketFrame resume = await sockets.WaitForAsync("resume", sent: true, TimeSpan.FromSeconds(30));
        Assert.AreEqual(turnId, resume.Id);
        Assert.AreEqual(runId, resume.String("run_id"));
        Assert.AreEqual(lastSeq, resume.Long("after_seq"));
        await AssertEndsWithTheWholeStoryAsync(turn, sockets, turnId, lastSeq);
    }

    [TestMethod]
    public async Task StopOnAResumedTurn_CancelsItById_AndTheRunInLetta()
    {
        await using BrowserGateway gateway = await BrowserGateway.StartAsync(new Dictionary<string, string?>
        {
            ["Sockets:DrainTimeout"] = "00:00:00",
        });
        string full = Scripts.ManyWords(2000); // ~20 s: still running long after the restart
        string agent = gateway.AddAgent("Storyteller", Scripts.Slow(full, tokenDelayMs: 50));
        var sockets = new SocketLog(Page);
        await OpenChatAsync(agent, gateway.BaseUri);
        ILocator turn = await SendAsync("tell me a very long story");
        string turnId = (await turn.GetAttributeAsync("data-turn-id"))!;
        await Expect(AnswerText(turn)).ToContainTextAsync("word3");
        string runId = (await turn.GetAttributeAsync("data-run-id"))!;

        await gateway.StopServerAsync();
        await WaitForStateAsync(turn, "interrupted");
        int wordsAtCut = (await TextOf(turn)).Split(' ').Length;
        await gateway.StartServerAsync();

        // Resumed, and streaming again: words after the cut arrive in the same bubble.
        await Expect(turn.Locator(".badge.resumed")).ToBeVisibleAsync(new() { Timeout = 20_000 });
        await Expect(turn).ToHaveAttributeAsync("data-state", "streaming");
        await Expect(AnswerText(turn)).ToContainTextAsync($"word{wordsAtCut + 20}");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Stop" }).ClickAsync();

        await WaitForStateAsync(turn, "stopped");
        SocketFrame cancel = await sockets.WaitForAsync("cancel", sent: true, s_wait);
        Assert.IsGreaterThan(1, cancel.Socket, "sent on the new socket");
        Assert.AreEqual(turnId, cancel.Id);
        using var timeout = new CancellationTokenSource(s_wait);
        await gateway.Simulator.Journal.WaitForCancelAsync(runId, timeout.Token);
        await Expect(turn).ToHaveAttributeAsync("data-cancelled-by", "client");
        StringAssert.StartsWith(full, await TextOf(turn));
        await Expect(Page.Locator("#stop")).ToBeHiddenAsync();
    }

    /// <summary>The turn ends normally, its bubble holds the whole story once, and the server repeated nothing.</summary>
    private async Task AssertEndsWithTheWholeStoryAsync(ILocator turn, SocketLog sockets, string turnId, long afterSeq)
    {
        await WaitForStateAsync(turn, "done");
        Assert.AreEqual(s_story, await TextOf(turn), "the same bubble, no word lost or repeated");
        await Expect(AnswerText(turn)).ToHaveCountAsync(1);
        await Expect(turn.Locator(".metrics")).ToBeVisibleAsync();
        await Expect(turn.Locator(".badge.resumed")).ToHaveTextAsync("Resumed");
        await Expect(turn.Locator(".badge.interrupted")).ToHaveCountAsync(0);
        await Expect(turn.Locator(".answer")).ToHaveAttributeAsync("aria-busy", "false");
        await Expect(Page.Locator("#stop")).ToBeHiddenAsync();

        SocketFrame done = await sockets.WaitForAsync(f => !f.Sent && f.Type == "done" && f.Id == turnId, s_wait);
        List<SocketFrame> resumed = sockets.Frames.Where(f => !f.Sent && f.Socket == done.Socket && f.Id == turnId && f.Type is "chunk").ToList();
        Assert.IsNotEmpty(resumed, "the rest of the story came over the new socket");
        Assert.IsTrue(resumed.All(f => f.Seq > afterSeq), "nothing at or below after_seq was sent again: " + string.Join('\n', resumed.Where(f => f.Seq <= afterSeq)));
    }

    private static long? MaxSeqReceived(SocketLog sockets, int socket, string turnId) =>
        sockets.Frames.Where(f => !f.Sent && f.Socket == socket && f.Id == turnId && f.Type != "done").Max(f => f.Seq);

    private static async Task<string> TextOf(ILocator turn) =>
        (await AnswerText(turn).EvaluateAsync<string>("e => e.textContent")).Trim();
}
