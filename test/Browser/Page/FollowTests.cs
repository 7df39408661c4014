using LettaSockets.Browser.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LettaSockets.Browser.Tests.Page;

/// <summary>
/// Two browsers on one conversation: a turn started in the first shows up live in the second, marked
/// as started elsewhere, and the second's Stop cancels it for both (and the run in Letta).
/// </summary>
[TestClass]
public sealed class FollowTests : ChatPageTest
{
    [TestMethod]
    public async Task A_second_browser_follows_a_turn_started_in_the_first_live_and_its_stop_cancels_it_for_both()
    {
        string story = Scripts.ManyWords(600);
        string agent = Gateway.AddAgent(name: "Storyteller", behaviour: Scripts.Slow(story, tokenDelayMs: 50));
        await OpenChatAsync(agent);

        IBrowserContext otherContext = await (await Chromium.GetBrowserAsync()).NewContextAsync(new() { ViewportSize = Viewport, Locale = "en-US" });
        otherContext.SetDefaultTimeout(Timeout);
        try
        {
            IPage other = await otherContext.NewPageAsync();
            await other.GotoAsync(new Uri(Gateway.BaseUri, $"/?agent={Uri.EscapeDataString(agent)}").ToString());
            await Expect(other.Locator("#connection")).ToHaveAttributeAsync("data-state", "live");

            ILocator mine = await SendAsync("tell me a long story");
            await Expect(AnswerText(mine)).ToContainTextAsync("word3");
            string runId = (await mine.GetAttributeAsync("data-run-id"))!;

            // The other browser shows the same turn, live, as one started elsewhere.
            ILocator followed = other.Locator("#conversation > li.turn");
            await Expect(followed).ToHaveCountAsync(1);
            await Expect(followed).ToHaveAttributeAsync("data-followed", "true");
            await Expect(followed.Locator(".origin-note")).ToContainTextAsync("Started elsewhere");
            await Expect(followed).ToHaveAttributeAsync("data-run-id", runId);
            await Expect(followed).ToHaveAttributeAsync("data-state", "streaming");
            await Expect(AnswerText(followed)).ToContainTextAsync("word40");
            await Expect(mine).ToHaveAttributeAsync("data-state", "streaming");

            // Its Stop stops the turn for everyone.
            await other.GetByRole(AriaRole.Button, new() { Name = "Stop" }).ClickAsync();
            await Expect(followed).ToHaveAttributeAsync("data-state", "stopped");
            using var timeout = new CancellationTokenSource(TimeSpan.FromMilliseconds(Timeout));
            await Gateway.Simulator.Journal.WaitForCancelAsync(runId, timeout.Token);
            await WaitForStateAsync(mine, "stopped");
            await Expect(mine).ToHaveAttributeAsync("data-cancelled-by", "upstream");
            string shown = (await AnswerText(mine).EvaluateAsync<string>("e => e.textContent")).Trim();
            Assert.IsTrue(shown.Length < story.Length, "the story was cut short");
            await Expect(Page.Locator("#stop")).ToBeHiddenAsync();
            await Expect(other.Locator("#stop")).ToBeHiddenAsync();

            // The second browser can talk again (the followed turn no longer holds the agent).
            ILocator input = other.GetByLabel("Message", new() { Exact = true });
            await input.FillAsync("and from here");
            await Expect(other.Locator("#send")).ToBeEnabledAsync();
        }
        finally
        {
            await otherContext.CloseAsync().WaitAsync(TimeSpan.FromSeconds(15));
        }
    }
}
