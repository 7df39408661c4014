using LettaSockets.Browser.Tests.Support;
using LettaSockets.Simulator;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LettaSockets.Browser.Tests.Page;

[TestClass]
public sealed class ErrorTests : ChatPageTest
{
    [TestMethod]
    public async Task Retryable_upstream_error_is_shown_inline_and_retry_resends_the_same_content_as_a_new_turn()
    {
        string agent = Gateway.AddAgent(name: "Flaky", behaviour: Scripts.Reply("All good now."));
        Gateway.Simulator.Faults.Enqueue(SimFault.ErrorBeforeMessages().ForAgent(agent));
        await OpenChatAsync(agent);

        ILocator failed = await SendAsync("hello flaky");

        await WaitForStateAsync(failed, "error");
        ILocator error = failed.Locator(".error-card[role=alert]");
        await Expect(error).ToHaveAttributeAsync("data-code", "agent_error");
        await Expect(error.Locator(".error-message")).Not.ToBeEmptyAsync();
        ILocator retry = error.GetByRole(AriaRole.Button, new() { Name = "Retry" });
        await retry.ClickAsync();

        ILocator again = Turns.Nth(1);
        await Expect(again.Locator(".msg.user .bubble")).ToHaveTextAsync("hello flaky");
        await WaitForStateAsync(again, "done");
        await Expect(AnswerText(again)).ToHaveTextAsync("All good now.");
        await Expect(retry).ToBeDisabledAsync();
        Assert.AreEqual(2, Gateway.Simulator.Journal.Messages.Count(m => m.AgentId == agent && m.UserText == "hello flaky"));
    }

    [TestMethod]
    public async Task Error_after_some_text_keeps_the_text_and_offers_no_retry_when_not_retryable()
    {
        string agent = Gateway.AddAgent(name: "Breaks midway", behaviour: Scripts.Reply(Scripts.ManyWords(40)));
        Gateway.Simulator.Faults.Enqueue(SimFault.ErrorAfterMessages(afterEvents: 6).ForAgent(agent));
        await OpenChatAsync(agent);

        ILocator turn = await SendAsync("go");

        await WaitForStateAsync(turn, "error");
        await Expect(AnswerText(turn)).ToContainTextAsync("word1");
        ILocator error = turn.Locator(".error-card");
        await Expect(error).ToBeVisibleAsync();
        await Expect(error.GetByRole(AriaRole.Button, new() { Name = "Retry" })).ToHaveCountAsync(0);
        // The failed turn no longer blocks the composer.
        await Expect(Page.Locator("#stop")).ToBeHiddenAsync();
    }
}
