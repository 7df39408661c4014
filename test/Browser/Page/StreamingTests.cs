using LettaSockets.Browser.Tests.Support;
using LettaSockets.Simulator;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LettaSockets.Browser.Tests.Page;

[TestClass]
public sealed class StreamingTests : ChatPageTest
{
    private const string AdaId = DemoAgents.AdaId;

    [TestMethod]
    public async Task CountToThirty_StreamsIntoOneAssistantBubbleWithExactText()
    {
        string expected = string.Join(' ', Enumerable.Range(1, 30));
        await OpenChatAsync(AdaId);

        ILocator turn = await SendAsync("count to 30");

        await WaitForStateAsync(turn, "done");
        await Expect(AnswerText(turn)).ToHaveCountAsync(1);
        // textContent, not innerText: the exact characters, no whitespace normalisation.
        string text = await AnswerText(turn).EvaluateAsync<string>("e => e.textContent");
        Assert.AreEqual(expected, text.Trim());
        await Expect(turn.Locator(".answer")).ToHaveAttributeAsync("aria-live", "polite");
        await Expect(turn.Locator(".answer")).ToHaveAttributeAsync("aria-busy", "false");
        await Expect(turn.Locator(".metrics")).ToHaveTextAsync(new System.Text.RegularExpressions.Regex(@"^first token \d+(\.\d+)? m?s · \d+(\.\d)? tok/s$"));
        await Expect(turn).ToHaveAttributeAsync("data-run-id", new System.Text.RegularExpressions.Regex("^run-"));
        await Expect(Page.Locator("#stop")).ToBeHiddenAsync();
    }

    [TestMethod]
    public async Task StopButton_HaltsTheStream_MarksItStopped_AndCancelsTheRunInLetta()
    {
        // Fast enough that frames are still in flight when Stop is clicked, long enough to last.
        string full = Scripts.ManyWords(3000);
        string agent = Gateway.AddAgent("Chatterbox", Scripts.Slow(full, tokenDelayMs: 10));
        await OpenChatAsync(agent);

        ILocator turn = await SendAsync("talk to me");
        // Text is arriving in place, and the run id is known: this is the middle of a stream.
        await Expect(AnswerText(turn)).ToContainTextAsync("word3");
        await Expect(turn).ToHaveAttributeAsync("data-state", "streaming");
        string runId = (await turn.GetAttributeAsync("data-run-id"))!;
        StringAssert.StartsWith(runId, "run-");

        // Click and read in one task: whatever the page shows at this instant is all it may ever show.
        string shownAtStop = await Page.EvaluateAsync<string>(
            "() => { document.querySelector('#stop').click(); return document.querySelector('#conversation > li.turn:last-child .answer .text').textContent; }");

        await WaitForStateAsync(turn, "stopped");
        await Expect(turn.Locator(".badge.stopped")).ToHaveTextAsync("Stopped");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        CancelRecord cancel = await Gateway.Simulator.Journal.WaitForCancelAsync(runId, timeout.Token);
        Assert.AreEqual(agent, cancel.AgentId);

        // The server's own done (cancelled by the client) has reached the page by now…
        await Expect(turn).ToHaveAttributeAsync("data-cancelled-by", "client");
        // …and nothing that was still in flight was added.
        Assert.AreEqual(shownAtStop, await AnswerText(turn).EvaluateAsync<string>("e => e.textContent"));
        Assert.IsTrue(shownAtStop.Trim().Length < full.Length, "The whole reply arrived before Stop; the test proves nothing.");
        StringAssert.StartsWith(full, shownAtStop.Trim());
        await Expect(Page.Locator("#stop")).ToBeHiddenAsync();
    }

    [TestMethod]
    public async Task EscapeKey_StopsTheStreamToo()
    {
        string agent = Gateway.AddAgent("Chatterbox", Scripts.Slow(Scripts.ManyWords(300)));
        await OpenChatAsync(agent);

        ILocator turn = await SendAsync("talk to me");
        await Expect(AnswerText(turn)).ToContainTextAsync("word3");
        string runId = (await turn.GetAttributeAsync("data-run-id"))!;
        await Page.Keyboard.PressAsync("Escape");

        await WaitForStateAsync(turn, "stopped");
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await Gateway.Simulator.Journal.WaitForCancelAsync(runId, timeout.Token);
        // The composer is free again: the next message for the same agent goes through.
        ILocator next = await SendAsync("again");
        await Expect(AnswerText(next)).ToContainTextAsync("word3");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Stop" }).ClickAsync();
        await WaitForStateAsync(next, "stopped");
    }
}
