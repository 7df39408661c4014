using LettaSockets.Browser.Tests.Support;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LettaSockets.Browser.Tests.Page;

/// <summary>
/// The chat page against a gateway whose upstream is the real Letta Code App Server (<c>letta server</c>)
/// with the tests' fake model: its shell tool asks first (approval card), Approve runs it, and the tool's
/// card and the model's answer render as with Letta's HTTP API. Skipped with the reason when node or the
/// App Server package is missing.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class AppServerPageTests : ChatPageTest
{
    private static AppServerStack? s_stack;
    private static TestGateway? s_gateway;
    private static string s_agent = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext _)
    {
        s_stack = await AppServerStack.StartAsync();
        s_gateway = await PageGateway.StartAsync(s_stack.GatewaySettings());
        s_agent = await s_stack.Server.CreateAgentAsync("page-tests");
    }

    [ClassCleanup]
    public static async Task StopAsync()
    {
        if (s_gateway is not null)
        {
            await s_gateway.DisposeAsync();
        }

        if (s_stack is not null)
        {
            await s_stack.DisposeAsync();
        }
    }

    protected override Task<TestGateway> GetGatewayAsync() => Task.FromResult(s_gateway ?? throw new InvalidOperationException("The App Server fixture did not start."));

    [TestMethod]
    public async Task A_shell_tool_asks_with_a_card_and_approve_runs_it_with_its_tool_card()
    {
        string marker = Path.Combine(Path.GetTempPath(), "page-approve-" + Guid.NewGuid().ToString("N"));
        string command = $"touch {marker} && echo made-by-the-tool";
        await OpenChatAsync(s_agent);

        ILocator turn = await SendAsync($"[bash {command}]");

        await WaitForStateAsync(turn, "done");
        await Expect(turn).ToHaveAttributeAsync("data-stop-reason", "requires_approval");
        ILocator card = turn.Locator(".approval-card");
        await Expect(card.Locator(".tool-name")).ToHaveTextAsync("Bash");
        await Expect(card.Locator(".tool-args")).ToContainTextAsync(marker);
        Assert.IsFalse(File.Exists(marker), "nothing ran before the click");

        await card.GetByRole(AriaRole.Button, new() { Name = "Approve" }).ClickAsync();

        await Expect(card).ToHaveAttributeAsync("data-decision", "approved");
        ILocator followUp = Turns.Last;
        await Expect(followUp.Locator(".note-text")).ToHaveTextAsync("You approved Bash.");
        await WaitForStateAsync(followUp, "done");
        ILocator tool = followUp.Locator(".tool-card");
        await Expect(tool).ToHaveAttributeAsync("data-status", "success");
        await Expect(tool).ToContainTextAsync("made-by-the-tool");
        Assert.IsTrue(File.Exists(marker), "approved: the tool ran on the App Server host");
        File.Delete(marker);
        await Expect(AnswerText(followUp)).ToContainTextAsync("made-by-the-tool");
    }
}
