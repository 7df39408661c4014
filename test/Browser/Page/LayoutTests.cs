using LettaSockets.Browser.Tests.Support;
using LettaSockets.Simulator;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LettaSockets.Browser.Tests.Page;

[TestClass]
public sealed class LayoutTests : ChatPageTest
{
    /// <summary>Set to 1 to refresh docs/screenshot.png (it is also written when missing). Not on
    /// every run: a test run should not leave the checkout modified.</summary>
    private const string UpdateScreenshotVariable = "LETTASOCKETS_UPDATE_SCREENSHOT";

    private static readonly string Wide =
        "A long token: " + new string('x', 300) + "\n\n```text\n" + new string('y', 400) + "\n```\n\n" +
        "| a | b | c | d | e | f |\n|---|---|---|---|---|---|\n| " + string.Join(" | ", Enumerable.Repeat("a-rather-long-cell-value", 6)) + " |";

    [TestMethod]
    [DataRow(375, 700, "phone")]
    [DataRow(1280, 800, "desktop")]
    public async Task Conversation_fits_the_viewport_with_the_composer_visible(int width, int height, string name)
    {
        string wide = Gateway.AddAgent(name: "Wide", behaviour: Scripts.Reply(Wide));
        await Page.SetViewportSizeAsync(width, height);
        await OpenChatAsync(DemoAgents.AdaId);
        await WaitForStateAsync(await SendAsync("What can you do?"), "done");
        await Page.GetByLabel("Agent").SelectOptionAsync(DemoAgents.DiceId);
        await WaitForStateAsync(await SendAsync("look up websockets"), "done");

        await AssertFitsAsync(width, height);
        string screenshot = await SaveScreenshotAsync(name);
        if (name == "desktop")
        {
            PublishDocsScreenshot(screenshot);
        }

        await Page.GetByLabel("Agent").SelectOptionAsync(wide);
        await WaitForStateAsync(await SendAsync("something wide"), "done");
        await AssertFitsAsync(width, height);
    }

    [TestMethod]
    public async Task Dark_color_scheme_switches_the_theme()
    {
        await Page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Light });
        await OpenChatAsync(DemoAgents.SageId);
        await WaitForStateAsync(await SendAsync("why is the sky blue"), "done");
        double light = await BackgroundLuminanceAsync();

        await Page.EmulateMediaAsync(new() { ColorScheme = ColorScheme.Dark });
        double dark = await BackgroundLuminanceAsync();
        await SaveScreenshotAsync("dark");

        Assert.IsGreaterThan(0.8, light, $"Light background luminance {light}.");
        Assert.IsLessThan(0.1, dark, $"Dark background luminance {dark}.");
    }

    private async Task AssertFitsAsync(int width, int height)
    {
        int[] widths = await Page.EvaluateAsync<int[]>(
            "() => [document.scrollingElement.scrollWidth, innerWidth, document.querySelector('#scroller').scrollWidth, document.querySelector('#scroller').clientWidth]");
        Assert.IsLessThanOrEqualTo(widths[1], widths[0], $"The page scrolls sideways at {width} px: {widths[0]} > {widths[1]}.");
        Assert.IsLessThanOrEqualTo(widths[3], widths[2], $"The conversation overflows sideways at {width} px: {widths[2]} > {widths[3]}.");

        ILocator input = Page.GetByLabel("Message", new() { Exact = true });
        await Expect(input).ToBeInViewportAsync();
        await Expect(Page.Locator("#send")).ToBeInViewportAsync(new() { Ratio = 1 });
        LocatorBoundingBoxResult box = (await Page.Locator("#composer").BoundingBoxAsync())!;
        Assert.IsLessThanOrEqualTo(height + 0.5, box.Y + box.Height, "The composer ends below the viewport.");
        Assert.IsLessThanOrEqualTo(width + 0.5, box.X + box.Width, "The composer is wider than the viewport.");
    }

    private Task<double> BackgroundLuminanceAsync() => Page.EvaluateAsync<double>("""
        () => {
          const [r, g, b] = getComputedStyle(document.body).backgroundColor.match(/\d+/g).map(Number);
          return (0.2126 * r + 0.7152 * g + 0.0722 * b) / 255;
        }
        """);

    private static void PublishDocsScreenshot(string screenshot)
    {
        DirectoryInfo? root = new(AppContext.BaseDirectory);
        while (root is not null && !File.Exists(Path.Combine(root.FullName, "LettaSockets.sln")))
        {
            root = root.Parent;
        }

        if (root is null)
        {
            return;
        }

        string target = Path.Combine(root.FullName, "docs", "screenshot.png");
        if (!File.Exists(target) || Environment.GetEnvironmentVariable(UpdateScreenshotVariable) == "1")
        {
            Directory.CreateDirectory(Path.GetDirectoryName(target)!);
            File.Copy(screenshot, target, overwrite: true);
        }
    }
}
