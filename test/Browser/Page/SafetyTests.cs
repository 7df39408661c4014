using LettaSockets.Browser.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LettaSockets.Browser.Tests.Page;

/// <summary>Agent text is data: whatever HTML it contains is shown, never run or loaded.</summary>
[TestClass]
public sealed class SafetyTests : ChatPageTest
{
    private const string Hostile =
        "Look: <img src=x onerror=alert(1)> and <img src=x onerror=\"document.body.dataset.pwned=1\"> inline.\n\n" +
        "<script>alert(1)</script>\n\n" +
        "A [bad link](javascript:alert(1)), a [good link](https://example.com/docs) and ![tracker](https://example.com/pixel.png).";

    [TestMethod]
    public async Task Html_in_an_agent_reply_stays_inert_visible_text()
    {
        var dialogs = new List<string>();
        Page.Dialog += async (_, dialog) =>
        {
            dialogs.Add(dialog.Message);
            await dialog.DismissAsync();
        };
        var imageRequests = new List<string>();
        Page.Request += (_, request) =>
        {
            if (request.ResourceType == "image" && !request.Url.EndsWith("favicon.svg", StringComparison.Ordinal))
            {
                imageRequests.Add(request.Url);
            }
        };
        string agent = Gateway.AddAgent(name: "Mallory", behaviour: Scripts.Reply(Hostile));
        await OpenChatAsync(agent);

        ILocator turn = await SendAsync("show me something");

        await WaitForStateAsync(turn, "done");
        ILocator answer = turn.Locator(".answer");
        await Expect(answer).ToContainTextAsync("<img src=x onerror=alert(1)>");
        await Expect(answer).ToContainTextAsync("<script>alert(1)</script>");
        await Expect(answer.Locator("img, script, iframe, svg")).ToHaveCountAsync(0);
        await Expect(answer.Locator("[onerror], [onclick], [onload]")).ToHaveCountAsync(0);
        await Expect(answer.GetByRole(AriaRole.Link, new() { Name = "good link" }))
            .ToHaveAttributeAsync("rel", "noopener noreferrer nofollow");
        await Expect(answer.GetByRole(AriaRole.Link, new() { Name = "good link" })).ToHaveAttributeAsync("target", "_blank");
        await Expect(answer.Locator("a[href^='javascript:' i]")).ToHaveCountAsync(0);
        // The Markdown image became a link, so nothing was fetched on the agent's behalf.
        await Expect(answer.GetByRole(AriaRole.Link, new() { Name = "tracker" })).ToHaveAttributeAsync("href", "https://example.com/pixel.png");

        Assert.IsNull(await Page.EvaluateAsync<string?>("() => document.body.dataset.pwned ?? null"), "An onerror handler ran.");
        Assert.IsEmpty(dialogs, "A dialog opened: " + string.Join(", ", dialogs));
        Assert.IsEmpty(imageRequests, "The page fetched images named by the agent: " + string.Join(", ", imageRequests));
    }
}
