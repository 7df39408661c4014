using LettaSockets.Seed.Tests.Support;
using Microsoft.Playwright;

namespace LettaSockets.Seed.Tests;

/// <summary>The seed tutorial's chat page (plain-text frames, <c>chunk</c>/<c>done</c>) in real
/// Chromium against this gateway. Skipped (inconclusive) when Chromium is not installed.</summary>
[TestClass]
public sealed class SeedPageTests
{
    private static readonly string ChromiumPath =
        Environment.GetEnvironmentVariable("LETTASOCKETS_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    [TestMethod]
    public async Task The_tutorials_chat_page_streams_answers()
    {
        if (!File.Exists(ChromiumPath))
        {
            Assert.Inconclusive($"Chromium is not installed at {ChromiumPath} (apt-get install -y chromium): the seed page test is skipped");
        }

        await using SeedGateway gateway = await SeedGateway.StartAsync();
        using IPlaywright playwright = await Playwright.CreateAsync().WaitAsync(TimeSpan.FromSeconds(30));
        await using IBrowser browser = await playwright.Chromium.LaunchAsync(new()
        {
            ExecutablePath = ChromiumPath,
            Headless = true,
            Timeout = 30_000,
            Args = ["--no-sandbox", "--disable-gpu", "--no-first-run", "--disable-background-networking"],
        });
        IPage page = await browser.NewPageAsync();
        page.SetDefaultTimeout(15_000);
        var errors = new List<string>();
        page.PageError += (_, error) => errors.Add(error);

        await page.GotoAsync(new Uri(gateway.BaseUri, SeedGateway.PagePath).ToString());
        await page.WaitForFunctionAsync("() => ws.readyState === WebSocket.OPEN");
        await page.FillAsync("#input", "Tell me about quantum computing");
        await page.PressAsync("#input", "Enter");
        await page.WaitForFunctionAsync("() => document.querySelectorAll('#messages > div').length === 2 && currentMessage === null");

        await page.FillAsync("#input", "Once more");
        await page.ClickAsync("button");
        await page.WaitForFunctionAsync("() => document.querySelectorAll('#messages > div').length === 4 && currentMessage === null");

        string[] lines = await page.EvalOnSelectorAllAsync<string[]>("#messages > div", "divs => divs.map(d => d.textContent)");
        CollectionAssert.AreEqual(
            new[] { "You: Tell me about quantum computing", SeedGateway.Answer, "You: Once more", SeedGateway.Answer },
            lines,
            "each answer streams into its own bubble; done closes it");
        Assert.AreEqual(0, errors.Count, string.Join("\n", errors));
    }
}
