using LettaSockets.Browser.Tests.Support;
using LettaSockets.Simulator;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LettaSockets.Browser.Tests.Page;

/// <summary>The whole chat works without a mouse, and the focused control is always visible.</summary>
[TestClass]
public sealed class KeyboardTests : ChatPageTest
{
    [TestMethod]
    public async Task Keyboard_alone_type_at_once_Shift_Enter_adds_a_line_Enter_sends_space_on_stop_stops()
    {
        string agent = Gateway.AddAgent(name: "Chatterbox", behaviour: Scripts.Slow(Scripts.ManyWords(300)));
        await OpenChatAsync(agent);
        ILocator input = Page.GetByLabel("Message", new() { Exact = true });
        // The message box has focus from the start: a keyboard user can type at once.
        await Expect(input).ToBeFocusedAsync();

        await Page.Keyboard.TypeAsync("first line");
        await Page.Keyboard.PressAsync("Shift+Enter");
        await Page.Keyboard.TypeAsync("second line");
        await Expect(input).ToHaveValueAsync("first line\nsecond line");
        await Expect(Turns).ToHaveCountAsync(0);
        await Page.Keyboard.PressAsync("Enter");

        ILocator turn = Turns.First;
        await Expect(turn.Locator(".msg.user .bubble")).ToHaveTextAsync("first line\nsecond line");
        await Expect(input).ToHaveValueAsync("");
        await Expect(AnswerText(turn)).ToContainTextAsync("word3");
        await Page.Keyboard.PressAsync("Tab");
        ILocator stop = Page.GetByRole(AriaRole.Button, new() { Name = "Stop" });
        await Expect(stop).ToBeFocusedAsync();
        Assert.AreNotEqual("none", await stop.EvaluateAsync<string>("e => getComputedStyle(e).outlineStyle"), "The focused Stop button shows no focus ring.");
        await Page.Keyboard.PressAsync("Space");

        await WaitForStateAsync(turn, "stopped");
        // Stop disappears; focus goes back to the message box rather than being lost.
        await Expect(input).ToBeFocusedAsync();
    }
}
