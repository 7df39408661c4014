using System.Text.RegularExpressions;
using LettaSockets.Browser.Tests.Support;
using LettaSockets.Protocol.Json;
using LettaSockets.Simulator;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LettaSockets.Browser.Tests.Page;

/// <summary>A page that opens an agent shows what the agent remembers: its stored messages, rendered as live turns are.</summary>
[TestClass]
public sealed class HistoryTests : ChatPageTest
{
    private ILocator PastTurns => Page.Locator("#history > li.turn");

    [TestMethod]
    public async Task Reload_shows_the_conversation_with_reasoning_and_tool_cards_as_the_live_turn_showed_them()
    {
        string agent = Gateway.AddAgent(name: "Dice", behaviour: request => AgentScript.Create()
            .Reasoning("They want a roll.")
            .ToolCall("roll_dice", "{\"num_sides\": 6}", "4")
            .Say($"You said **{request.UserText}** and rolled a 4."));
        await OpenChatAsync(agent);
        await Expect(Page.Locator("#empty-state")).ToBeVisibleAsync();
        ILocator live = await SendAsync("roll a die");
        await WaitForStateAsync(live, "done");

        await Page.ReloadAsync();
        await Expect(Connection).ToHaveAttributeAsync("data-state", "live");

        await Expect(PastTurns).ToHaveCountAsync(1);
        ILocator past = PastTurns.First;
        await Expect(past).ToHaveAttributeAsync("data-state", "history");
        await Expect(past.Locator(".msg.user .bubble")).ToHaveTextAsync("roll a die");
        await Expect(past.Locator("details.reasoning summary")).ToHaveTextAsync("Reasoning");
        await Expect(past.Locator("details.reasoning .reasoning-text")).ToHaveTextAsync("They want a roll.");
        ILocator card = past.Locator(".tool-card");
        await Expect(card).ToHaveAttributeAsync("data-status", "success");
        await Expect(card.Locator(".tool-name")).ToHaveTextAsync("roll_dice");
        await Expect(card.Locator(".tool-result")).ToHaveTextAsync("4");
        await Expect(past.Locator(".answer .text strong")).ToHaveTextAsync("roll a die");
        await Expect(AnswerText(past)).ToHaveTextAsync("You said roll a die and rolled a 4.");
        await Expect(Page.Locator("#empty-state")).ToBeHiddenAsync();
        await Expect(Turns).ToHaveCountAsync(0);

        // The conversation goes on below its history.
        ILocator next = await SendAsync("again");
        await WaitForStateAsync(next, "done");
        await Expect(AnswerText(next)).ToContainTextAsync("You said again");
        Assert.IsTrue(await next.EvaluateAsync<bool>("(li, past) => !!(past.compareDocumentPosition(li) & Node.DOCUMENT_POSITION_FOLLOWING)", await past.ElementHandleAsync()),
            "the new turn comes after the stored one");
    }

    [TestMethod]
    public async Task Approval_in_history_is_shown_as_answered_without_buttons()
    {
        string agent = Gateway.AddAgent(name: "Asker", behaviour: _ => AgentScript.Create()
            .RequestApproval("delete_file", "{\"path\": \"notes.txt\"}", "call-approve-1"));
        await OpenChatAsync(agent);
        ILocator live = await SendAsync("delete notes.txt");
        await Expect(live.Locator(".approval-card").GetByRole(AriaRole.Button, new() { Name = "Approve" })).ToBeVisibleAsync();
        await WaitForStateAsync(live, "done");

        await Page.ReloadAsync();
        await Expect(Connection).ToHaveAttributeAsync("data-state", "live");

        ILocator card = PastTurns.Last.Locator(".approval-card");
        await Expect(card).ToHaveAttributeAsync("data-decision", "past");
        await Expect(card.Locator(".tool-name")).ToHaveTextAsync("delete_file");
        await Expect(card.Locator(".tool-args")).ToHaveTextAsync(new Regex("\"path\":\\s*\"notes.txt\""));
        await Expect(card.GetByRole(AriaRole.Button)).ToHaveCountAsync(0);
    }

    [TestMethod]
    public async Task Long_history_shows_the_newest_page_and_load_earlier_adds_the_page_before()
    {
        string agent = Gateway.AddAgent(name: "Echo", behaviour: request => AgentScript.Create().Say($"echo {request.UserText}"));
        // 30 turns of two stored messages each: more than the page's first page of 50.
        // A socket each: one socket's message rate is limited.
        for (int i = 1; i <= 30; i++)
        {
            await using TestClient client = await Gateway.ConnectAsync(agent);
            await client.SendMessageAsync($"m{i}", $"message {i}");
            List<ServerFrame> frames = await client.ReadTurnAsync($"m{i}");
            Assert.AreEqual("done", frames[^1].Type, string.Join('\n', frames));
        }

        await OpenChatAsync(agent);
        await Expect(PastTurns.Last.Locator(".msg.user .bubble")).ToHaveTextAsync("message 30");
        ILocator earlier = Page.GetByRole(AriaRole.Button, new() { Name = "Load earlier messages" });
        await Expect(earlier).ToBeVisibleAsync();
        await Expect(Page.Locator("#history .msg.user .bubble", new() { HasTextRegex = new Regex("^message 1$") })).ToHaveCountAsync(0);

        await earlier.ClickAsync();
        await Expect(PastTurns.First.Locator(".msg.user .bubble")).ToHaveTextAsync("message 1");
        await Expect(AnswerText(PastTurns.First)).ToHaveTextAsync("echo message 1");
        await Expect(earlier).ToBeHiddenAsync();
        await Expect(Page.Locator("#history .msg.user .bubble")).ToHaveCountAsync(30);
    }
}
