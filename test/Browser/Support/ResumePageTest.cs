using System.Globalization;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LettaSockets.Browser.Tests.Support;

/// <summary>
/// Base of the tests that take a gateway down under a streaming, resumable turn: a story of known
/// words, a way to start it and cut it, and the checks that the same bubble ends with exactly that
/// story. Each test starts its own gateway; the simulator (Letta) keeps running the whole time.
/// </summary>
public abstract class ResumePageTest : ChatPageTest
{
    /// <summary>The bound of a wait on a frame or on the simulator's journal.</summary>
    protected static readonly TimeSpan Wait = TimeSpan.FromMilliseconds(Timeout);

    /// <summary>300 known words.</summary>
    protected static readonly string Story = Scripts.ManyWords(300);

    /// <summary>50 ms scripted × the simulator's 0.2 pace: 10 ms a token, so the story streams for about 3 s.</summary>
    protected static Func<Simulator.SimRequest, Simulator.AgentScript> Storyteller(string text) => Scripts.Slow(text, tokenDelayMs: 50);

    /// <summary>Sends a message and waits until the answer is visibly streaming and its run id is known.</summary>
    protected async Task<StartedTurn> StartStreamingAsync(string message = "tell me a long story")
    {
        ILocator turn = await SendAsync(message);
        await Expect(AnswerText(turn)).ToContainTextAsync("word3");
        await Expect(turn).ToHaveAttributeAsync("data-run-id", new System.Text.RegularExpressions.Regex("^run-"));
        return new StartedTurn(turn, (await turn.GetAttributeAsync("data-turn-id"))!, (await turn.GetAttributeAsync("data-run-id"))!);
    }

    /// <summary>Waits until the page marks the turn cut off; returns the text shown at that point, which must be a strict prefix of <paramref name="full"/>.</summary>
    protected static async Task<string> WaitForInterruptedAsync(ILocator turn, string full)
    {
        await WaitForStateAsync(turn, "interrupted");
        string atCut = await TextOf(turn);
        Assert.IsTrue(atCut.Length < full.Length, "The whole reply arrived before the cut; the test proves nothing.");
        StringAssert.StartsWith(full, atCut);
        return atCut;
    }

    /// <summary>The turn's highest seq as the page recorded it (<c>data-last-seq</c>).</summary>
    protected static async Task<long> LastSeqAsync(ILocator turn) =>
        long.Parse((await turn.GetAttributeAsync("data-last-seq"))!, CultureInfo.InvariantCulture);

    /// <summary>The turn ends normally, its bubble holds the whole story once, and the new socket repeated nothing.</summary>
    protected async Task AssertEndsWithTheWholeStoryAsync(ILocator turn, SocketLog sockets, string turnId, long afterSeq)
    {
        await WaitForStateAsync(turn, "done");
        Assert.AreEqual(Story, await TextOf(turn), "the same bubble, no word lost or repeated");
        await Expect(AnswerText(turn)).ToHaveCountAsync(1);
        await Expect(turn.Locator(".metrics")).ToBeVisibleAsync();
        await Expect(turn.Locator(".badge.resumed")).ToHaveTextAsync("Resumed");
        await Expect(turn.Locator(".badge.interrupted")).ToHaveCountAsync(0);
        await Expect(turn.Locator(".answer")).ToHaveAttributeAsync("aria-busy", "false");
        await Expect(Page.Locator("#stop")).ToBeHiddenAsync();

        SocketFrame done = await sockets.WaitForAsync(f => !f.Sent && f.Type == "done" && f.Id == turnId, Wait);
        Assert.IsGreaterThan(1, done.Socket, "the turn ended on a new socket");
        List<SocketFrame> resumed = [.. sockets.Frames.Where(f => !f.Sent && f.Socket == done.Socket && f.Id == turnId && f.Type == "chunk")];
        Assert.IsNotEmpty(resumed, "the rest of the story came over the new socket");
        Assert.IsTrue(resumed.All(f => f.Seq > afterSeq), "nothing at or below after_seq was sent again:\n" + string.Join('\n', resumed.Where(f => !(f.Seq > afterSeq))));
    }

    /// <summary>The highest seq among the frames of <paramref name="turnId"/> received on socket <paramref name="socket"/>.</summary>
    protected static long? MaxSeqReceived(SocketLog sockets, int socket, string turnId) =>
        sockets.Frames.Where(f => !f.Sent && f.Socket == socket && f.Id == turnId && f.Type != "done").Max(f => f.Seq);

    /// <summary>The exact characters of a turn's answer (textContent: no whitespace normalisation).</summary>
    protected static async Task<string> TextOf(ILocator turn) =>
        (await AnswerText(turn).EvaluateAsync<string>("e => e.textContent")).Trim();

    protected sealed record StartedTurn(ILocator Turn, string Id, string RunId);
}
