using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LettaSockets.Browser.Tests.Support;

/// <summary>
/// Base of the page tests: a fresh browser context per test (no shared localStorage), helpers that
/// drive the page the way a person does (type, Enter, click), and a check that no script error
/// escaped during the test. Every wait is a Playwright auto-wait with a timeout.
/// </summary>
public abstract class ChatPageTest
{
    /// <summary>Upper bound for any single wait on the page.</summary>
    protected const float Timeout = 15_000;

    private readonly List<string> _pageErrors = [];

    public TestContext TestContext { get; set; } = null!;

    protected IBrowserContext Context { get; private set; } = null!;

    protected IPage Page { get; private set; } = null!;

    protected TestGateway Gateway { get; private set; } = null!;

    protected ILocator Turns => Page.Locator("#conversation > li.turn");

    protected ILocator Connection => Page.Locator("#connection");

    /// <summary>The gateway a test class drives: the one most page tests share, unless overridden.</summary>
    protected virtual Task<TestGateway> GetGatewayAsync() => Chromium.GetGatewayAsync();

    /// <summary>The viewport a test class wants; desktop unless overridden.</summary>
    protected virtual ViewportSize Viewport => new() { Width = 1280, Height = 800 };

    [TestInitialize]
    public async Task OpenBrowserContextAsync()
    {
        IBrowser browser = await Chromium.GetBrowserAsync();
        Gateway = await GetGatewayAsync();
        SetDefaultExpectTimeout(Timeout);
        Context = await browser.NewContextAsync(new() { ViewportSize = Viewport, Locale = "en-US" });
        Context.SetDefaultTimeout(Timeout);
        Page = await Context.NewPageAsync();
        Page.PageError += (_, error) => _pageErrors.Add(error);
    }

    [TestCleanup]
    public async Task CloseBrowserContextAsync()
    {
        if (Context is null)
        {
            return;
        }

        if (TestContext.CurrentTestOutcome != UnitTestOutcome.Passed && !Page.IsClosed)
        {
            await SaveScreenshotAsync("failure");
        }

        await Context.CloseAsync().WaitAsync(TimeSpan.FromSeconds(15));
        Assert.IsEmpty(_pageErrors, "The page threw: " + string.Join(" | ", _pageErrors));
    }

    /// <summary>Opens the chat page for <paramref name="agentId"/> (via <c>?agent=</c>) and waits until it is live.</summary>
    protected async Task OpenChatAsync(string? agentId = null, Uri? baseUri = null)
    {
        var url = new Uri(baseUri ?? Gateway.BaseUri, agentId is null ? "/" : $"/?agent={Uri.EscapeDataString(agentId)}");
        await Page.GotoAsync(url.ToString());
        await Expect(Connection).ToHaveAttributeAsync("data-state", "live");
    }

    /// <summary>Types <paramref name="text"/> and presses Enter; returns the turn it started.</summary>
    protected async Task<ILocator> SendAsync(string text)
    {
        // The turn this page starts is found by its own user bubble, not by the next position: tests share demo
        // agents, and a turn another test starts on the same conversation can appear here too (followed, with no
        // user bubble). Counting the same-text turns first keeps the locator on this one if the text is sent again.
        var ownBubble = Page.Locator(".msg.user .bubble", new() { HasTextRegex = new System.Text.RegularExpressions.Regex("^" + System.Text.RegularExpressions.Regex.Escape(text) + "$") });
        ILocator sameText = Turns.Filter(new() { Has = ownBubble });
        int before = await sameText.CountAsync();
        ILocator input = Page.GetByLabel("Message", new() { Exact = true });
        await input.FillAsync(text);
        // A person waits until the page lets them send: while a turn of this agent runs (a followed one another
        // test started counts), the page keeps the text and Enter does nothing, as it should.
        await Expect(Page.Locator("#send")).ToBeEnabledAsync();
        await input.PressAsync("Enter");
        ILocator turn = sameText.Nth(before);
        await Expect(turn.Locator(".msg.user .bubble")).ToHaveTextAsync(text);
        return turn;
    }

    /// <summary>The rendered assistant text of a turn (all its text blocks).</summary>
    protected static ILocator AnswerText(ILocator turn) => turn.Locator(".answer .text");

    protected static Task WaitForStateAsync(ILocator turn, string state) =>
        Expect(turn).ToHaveAttributeAsync("data-state", state);

    /// <summary>Saves a screenshot of the viewport as a test result file and returns its path.</summary>
    protected async Task<string> SaveScreenshotAsync(string name)
    {
        string folder = Path.Combine(TestContext.TestResultsDirectory ?? Path.GetTempPath(), "screenshots");
        Directory.CreateDirectory(folder);
        string path = Path.Combine(folder, $"{TestContext.TestName}-{name}.png");
        await Page.ScreenshotAsync(new() { Path = path });
        TestContext.AddResultFile(path);
        return path;
    }
}
