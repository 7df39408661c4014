using System.Text.RegularExpressions;
using LettaSockets.Browser.Tests.Support;
using LettaSockets.Simulator;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LettaSockets.Browser.Tests.Page;

/// <summary>Tool calls, reasoning and approvals, from the demo agents that produce them.</summary>
[TestClass]
public sealed partial class AgentActivityTests : ChatPageTest
{
    [TestMethod]
    public async Task Dice_shows_a_tool_call_card_with_arguments_and_result_then_the_answer_using_it()
    {
        await OpenChatAsync(DemoAgents.DiceId);

        ILocator turn = await SendAsync("roll a d20");

        await WaitForStateAsync(turn, "done");
        ILocator card = turn.Locator(".tool-card");
        await Expect(card).ToHaveCountAsync(1);
        await Expect(card).ToHaveAttributeAsync("data-status", "success");
        await Expect(card.Locator(".tool-name")).ToHaveTextAsync("roll_dice");
        await Expect(card.Locator(".tool-args")).ToHaveTextAsync(new Regex("\"num_sides\":\\s*20"));
        string rolled = (await card.Locator(".tool-result").TextContentAsync())!;
        Assert.IsTrue(int.TryParse(rolled, out int value) && value is >= 1 and <= 20, $"Tool result was '{rolled}'.");
        // The card comes before the sentence that uses its result (Letta's order is kept).
        await Expect(turn.Locator(".answer > *").Last).ToHaveTextAsync($"You rolled a {value} on a 20-sided die. 🎲");
        await Expect(turn.Locator(".answer .text strong")).ToHaveTextAsync(rolled);
        await Expect(turn.Locator("details.reasoning")).ToContainTextAsync("roll_dice");
    }

    [TestMethod]
    public async Task Sage_shows_its_reasoning_collapsed_before_the_answer_and_it_opens_by_keyboard()
    {
        await OpenChatAsync(DemoAgents.SageId);

        ILocator turn = await SendAsync("why is the sky blue");

        await WaitForStateAsync(turn, "done");
        ILocator reasoning = turn.Locator(".answer > details.reasoning");
        await Expect(reasoning).ToHaveCountAsync(1);
        await Expect(reasoning).Not.ToHaveAttributeAsync("open", "");
        await Expect(reasoning.Locator("summary")).ToHaveTextAsync("Reasoning");
        await Expect(reasoning.Locator(".reasoning-text")).ToBeHiddenAsync();
        Assert.AreEqual(0, await turn.Locator(".answer > *").First.EvaluateAsync<int>("e => e.matches('details.reasoning') ? 0 : 1"), "Reasoning comes first.");
        await Expect(AnswerText(turn)).ToHaveTextAsync(new Regex("^Here is my considered answer about \"why is the sky blue\""));

        await reasoning.Locator("summary").FocusAsync();
        await Page.Keyboard.PressAsync("Enter");
        await Expect(reasoning.Locator(".reasoning-text")).ToBeVisibleAsync();
        await Expect(reasoning.Locator(".reasoning-text")).ToContainTextAsync("Let me think about what they need.");
    }

    [TestMethod]
    public async Task Slow_tool_status_line_says_running_then_still_working_with_elapsed_time_then_goes_away()
    {
        string agent = Gateway.AddAgent(name: "Slow tools", behaviour: _ => AgentScript.Create()
            .ToolCall("crunch_numbers", "{\"n\": 42}", "done crunching", toolDelay: TimeSpan.FromSeconds(10))
            .Say("Crunched.")
            .WithTokenDelay(TimeSpan.FromMilliseconds(5)));
        await OpenChatAsync(agent);

        ILocator turn = await SendAsync("crunch");

        ILocator status = turn.Locator(".turn-status");
        await Expect(turn.Locator(".tool-card")).ToHaveAttributeAsync("data-status", "running");
        await Expect(status).ToHaveAttributeAsync("role", "status");
        await Expect(status.Locator(".status-text")).ToHaveTextAsync("Still working…");
        await Expect(status.Locator(".elapsed")).ToHaveTextAsync(new Regex(@"^\d+ s$"));
        await WaitForStateAsync(turn, "done");
        await Expect(status).ToBeHiddenAsync();
        await Expect(turn.Locator(".tool-card")).ToHaveAttributeAsync("data-status", "success");
        await Expect(AnswerText(turn)).ToHaveTextAsync("Crunched.");
    }

    [TestMethod]
    public async Task Approver_asks_with_a_card_and_approve_starts_the_turn_that_runs_the_tool()
    {
        await OpenChatAsync(DemoAgents.ApproverId);

        ILocator turn = await SendAsync("please delete /tmp/notes.txt");

        await WaitForStateAsync(turn, "done");
        await Expect(turn).ToHaveAttributeAsync("data-stop-reason", "requires_approval");
        ILocator card = turn.Locator(".approval-card");
        await Expect(card.Locator(".tool-name")).ToHaveTextAsync("delete_file");
        await Expect(card.Locator(".tool-args")).ToContainTextAsync("/tmp/notes.txt");
        await card.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();

        await Expect(card).ToHaveAttributeAsync("data-decision", "approved");
        await Expect(card.GetByRole(AriaRole.Button, new() { Name = "Approve" })).ToBeDisabledAsync();
        ILocator followUp = Turns.Last;
        await Expect(followUp.Locator(".note-text")).ToHaveTextAsync("You approved delete_file.");
        await WaitForStateAsync(followUp, "done");
        await Expect(AnswerText(followUp)).ToHaveTextAsync("Done: I deleted /tmp/notes.txt.");
        string toolCallId = (await card.GetAttributeAsync("data-tool-call-id"))!;
        Assert.IsTrue(Gateway.Simulator.Journal.Messages.Any(m => m.Approvals.Any(a => a.ToolCallId == toolCallId && a.Approve)),
            "Letta received the approval for the tool call the card showed.");
    }
}
