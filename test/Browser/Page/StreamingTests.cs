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
    public async Task Count_to_thirty_streams_into_one_assistant_bubble_with_exact_text()
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
    public async Task Stop_button_halts_the_stream_marks_it_stopped_and_cancels_the_run_in_Letta()
    {
        // Fast enough that frames are still in flight when Stop is clicked, long enough to last.
        string full = Scripts.ManyWords(3000);
        string agent = Gateway.AddAgent(name: "Chatterbox", behaviour: Scripts.Slow(full, tokenDelayMs: 10));
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
    public async Task Escape_key_stops_the_stream_too()
    {
        string agent = Gateway.AddAgent(name: "Chatterbox", behaviour: Scripts.Slow(Scripts.ManyWords(300)));
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
    [TestMethod]
    public async Task Send_stop_send_stop_in_quick_succession_keeps_the_page_connected_and_both_turns_stopped()
    {
        string agent = Gateway.AddAgent(name: "Chatterbox", behaviour: Scripts.Slow(Scripts.ManyWords(300)));
        int sockets = 0;
        Page.WebSocket += (_, _) => Interlocked.Increment(ref sockets);
        await OpenChatAsync(agent);

        // One task, as a person's fastest double Stop: send, Stop, send, Stop — four frames back to back,
        // the second Stop reaching a turn that still waits for the first run to wind down in Letta.
        await Page.EvaluateAsync(@"() => {
            const input = document.querySelector('#composer-input');
            const form = document.querySelector('#composer');
            const stop = document.querySelector('#stop');
            const send = (text) => { input.value = text; input.dispatchEvent(new Event('input', { bubbles: true })); form.requestSubmit(); };
            send('first'); stop.click(); send('second'); stop.click();
        }");

        await Expect(Turns).ToHaveCountAsync(2);
        foreach (ILocator turn in new[] { Turns.Nth(0), Turns.Nth(1) })
        {
            await WaitForStateAsync(turn, "stopped");
            // The server's own done (cancelled by the client) reached the page: the socket carried it.
            await Expect(turn).ToHaveAttributeAsync("data-cancelled-by", "client");
        }

        ILocator third = await SendAsync("and now a whole answer");
        await Expect(AnswerText(third)).ToContainTextAsync("word3");
        await Expect(Connection).ToHaveAttributeAsync("data-state", "live");
        Assert.AreEqual(1, Volatile.Read(ref sockets), "the page never had to reconnect");
        await Page.GetByRole(AriaRole.Button, new() { Name = "Stop" }).ClickAsync();
        await WaitForStateAsync(third, "stopped");
    }
}
