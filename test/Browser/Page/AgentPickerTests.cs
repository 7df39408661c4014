using LettaSockets.Browser.Tests.Support;
using LettaSockets.Simulator;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LettaSockets.Browser.Tests.Page;

[TestClass]
public sealed class AgentPickerTests : ChatPageTest
{
    [TestMethod]
    public async Task Picker_lists_the_agents_honours_the_url_remembers_the_choice_and_routes_each_message()
    {
        await OpenChatAsync(DemoAgents.SageId);
        ILocator picker = Page.GetByLabel("Agent");
        await Expect(picker).ToHaveValueAsync(DemoAgents.SageId);
        await Expect(picker.Locator("option")).ToContainTextAsync(["Ada — friendly assistant", "Dice & Lookup — tool user", "Sage — visible reasoning"]);

        // Switching agents keeps the socket: the next message names its agent instead.
        await picker.SelectOptionAsync(DemoAgents.AdaId);
        await Expect(Page).ToHaveURLAsync(new System.Text.RegularExpressions.Regex($"[?&]agent={DemoAgents.AdaId}$"));
        ILocator turn = await SendAsync("count to 3");
        await WaitForStateAsync(turn, "done");
        await Expect(turn).ToHaveAttributeAsync("data-agent-id", DemoAgents.AdaId);
        await Expect(turn.Locator(".agent-name")).ToHaveTextAsync("Ada — friendly assistant");
        Assert.IsTrue(Gateway.Simulator.Journal.Messages.Any(m => m.AgentId == DemoAgents.AdaId && m.UserText == "count to 3"));

        await Page.GotoAsync(Gateway.BaseUri.ToString());
        await Expect(Connection).ToHaveAttributeAsync("data-state", "live");
        await Expect(picker).ToHaveValueAsync(DemoAgents.AdaId);
    }
}
