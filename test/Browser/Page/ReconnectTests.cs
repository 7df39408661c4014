using LettaSockets.Browser.Tests.Support;
using LettaSockets.Simulator;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LettaSockets.Browser.Tests.Page;

[TestClass]
public sealed class ReconnectTests : ChatPageTest
{
    [TestMethod]
    public async Task ServerRestart_PageShowsReconnecting_ThenLive_MarksTheCutTurnInterrupted_AndChatsAgain()
    {
        // Its own gateway: this test stops the server under the page. Resumable turns (Letta
        // background mode) are the ones a restart must not lose: the page keeps their run id.
        await using BrowserGateway gateway = await BrowserGateway.StartAsync(new Dictionary<string, string?>
        {
            ["Letta:Background"] = "true",
            ["Sockets:DrainTimeout"] = "00:00:00",
        });
        string slow = gateway.AddAgent("Slowpoke", Scripts.Slow(Scripts.ManyWords(300)));
        await OpenChatAsync(slow, gateway.BaseUri);
        ILocator cut = await SendAsync("keep talking");
        await Expect(AnswerText(cut)).ToContainTextAsync("word3");
        string runId = (await cut.GetAttributeAsync("data-run-id"))!;

        await gateway.StopServerAsync();

        await Expect(Connection).ToHaveAttributeAsync("data-state", "reconnecting");
        await Expect(Connection).ToContainTextAsync("Reconnecting");
        await WaitForStateAsync(cut, "interrupted");
        await Expect(cut.Locator(".badge.interrupted")).ToBeVisibleAsync();
        // What a later resume needs stays on the turn.
        await Expect(cut).ToHaveAttributeAsync("data-run-id", runId);
        await Expect(cut).ToHaveAttributeAsync("data-last-seq", new System.Text.RegularExpressions.Regex("^[1-9][0-9]*$"));

        await gateway.StartServerAsync();

        await Expect(Connection).ToHaveAttributeAsync("data-state", "live", new() { Timeout = 20_000 });
        await Expect(Connection).ToContainTextAsync("Live");
        await Page.GetByLabel("Agent").SelectOptionAsync(DemoAgents.AdaId);
        ILocator after = await SendAsync("count to 5");
        await WaitForStateAsync(after, "done");
        Assert.AreEqual("1 2 3 4 5", (await AnswerText(after).TextContentAsync())!.Trim());
    }
}
