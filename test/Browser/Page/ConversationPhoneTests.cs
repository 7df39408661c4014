using LettaSockets.Browser.Tests.Support;
using LettaSockets.Simulator;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LettaSockets.Browser.Tests.Page;

/// <summary>On a 375 px screen the conversations fold away behind a button, and work by keyboard.</summary>
[TestClass]
public sealed class ConversationPhoneTests : ChatPageTest
{
    protected override ViewportSize Viewport => new() { Width = 375, Height = 700 };

    [TestMethod]
    public async Task Sidebar_folds_away_behind_a_button_opens_and_closes_by_keyboard_and_new_chat_closes_it()
    {
        string agent = Gateway.AddAgent(name: "Echo", behaviour: request => AgentScript.Create().Say($"echo {request.UserText}"));
        await OpenChatAsync(agent);
        ILocator sidebar = Page.GetByRole(AriaRole.Navigation, new() { Name = "Conversations" });
        ILocator toggle = Page.GetByRole(AriaRole.Button, new() { Name = "Conversations", Exact = true });
        await Expect(sidebar).ToBeHiddenAsync();
        await Expect(toggle).ToBeVisibleAsync();
        await Expect(toggle).ToHaveAttributeAsync("aria-expanded", "false");
        await Expect(toggle).ToHaveAttributeAsync("aria-controls", "sidebar");

        await toggle.FocusAsync();
        await Page.Keyboard.PressAsync("Enter");
        await Expect(sidebar).ToBeVisibleAsync();
        await Expect(sidebar).ToBeInViewportAsync();
        await Expect(toggle).ToHaveAttributeAsync("aria-expanded", "true");
        await Expect(sidebar.Locator("a[aria-current='page']")).ToBeFocusedAsync();

        await Page.Keyboard.PressAsync("Escape");
        await Expect(sidebar).ToBeHiddenAsync();
        await Expect(toggle).ToBeFocusedAsync();

        await toggle.ClickAsync();
        await sidebar.GetByRole(AriaRole.Button, new() { Name = "New chat" }).ClickAsync();
        await Expect(sidebar).ToBeHiddenAsync();
        await Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex("[?&]conversation=conv-"));
        ILocator turn = await SendAsync("hello from a phone");
        await WaitForStateAsync(turn, "done");
        int[] widths = await Page.EvaluateAsync<int[]>("() => [document.scrollingElement.scrollWidth, innerWidth]");
        Assert.IsLessThanOrEqualTo(widths[1], widths[0], $"The page scrolls sideways: {widths[0]} > {widths[1]}.");
    }
}
