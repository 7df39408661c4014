using LettaSockets.Browser.Tests.Support;
using LettaSockets.Simulator;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LettaSockets.Browser.Tests.Page;

[TestClass]
public sealed class AccessTokenTests : ChatPageTest
{
    private const string Key = "browser-test-key-0123456789";

    [TestMethod]
    public async Task Key_in_the_page_url_is_used_for_the_api_and_the_socket_and_leaves_the_address_bar()
    {
        await using TestGateway gateway = await PageGateway.StartAsync(new Dictionary<string, string?>
        {
            ["Auth:ApiKeys:0:Key"] = Key,
        });

        await Page.GotoAsync(new Uri(gateway.BaseUri, $"/?agent={DemoAgents.AdaId}").ToString());
        await Expect(Page.Locator(".notice.error")).ToContainTextAsync("Could not list agents");

        await Page.GotoAsync(new Uri(gateway.BaseUri, $"/?agent={DemoAgents.AdaId}&access_token={Key}").ToString());
        await Expect(Connection).ToHaveAttributeAsync("data-state", "live");
        await Expect(Page.GetByLabel("Agent").Locator("option")).ToHaveCountAsync(5);
        await Expect(Page).ToHaveURLAsync(new Uri(gateway.BaseUri, $"/?agent={DemoAgents.AdaId}").ToString());
        ILocator turn = await SendAsync("count to 4");
        await WaitForStateAsync(turn, "done");
        await Expect(AnswerText(turn)).ToHaveTextAsync("1 2 3 4");

        // A reload in the same tab still has the key (sessionStorage), though the URL does not.
        await Page.ReloadAsync();
        await Expect(Connection).ToHaveAttributeAsync("data-state", "live");
    }
}
