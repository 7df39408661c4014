using LettaSockets.Browser.Tests.Support;
using LettaSockets.Simulator;
using Microsoft.Playwright;
using static Microsoft.Playwright.Assertions;

namespace LettaSockets.Browser.Tests.Page;

[TestClass]
public sealed class ReconnectTests : ChatPageTest
{
    [TestMethod]
    public async Task Server_restart_page_shows_reconnecting_then_live_leaves_a_non_resumable_turn_interrupted_and_chats_again()
    {
        // Its own gateway: this test stops the server under the page. Without resumable turns a
        // turn cut by the restart is lost (cancelled in Letta), and the page must not try to resume it.
        // The drain outlasts the fixture's 1 s stop grace, so Kestrel aborts the socket mid-turn.
        await using TestGateway gateway = await PageGateway.StartAsync(new Dictionary<string, string?>
        {
            ["Letta:ResumableTurns"] = "false",
            ["Sockets:DrainTimeout"] = "00:00:30",
        });
        string slow = gateway.AddAgent(name: "Slowpoke", behaviour: Scripts.Slow(Scripts.ManyWords(1000), tokenDelayMs: 50));
        var sockets = new SocketLog(Page);
        await OpenChatAsync(slow, gateway.BaseUri);
        ILocator cut = await SendAsync("keep talking");
        await Expect(AnswerText(cut)).ToContainTextAsync("word3");
        string runId = (await cut.GetAttributeAsync("data-run-id"))!;
        SocketFrame message = await sockets.WaitForAsync("message", sent: true, TimeSpan.FromSeconds(15));
        Assert.IsNull(message.Bool("resumable"), $"ready.resumable is false: the page does not ask for it ({message})");

        await gateway.StopServerAsync();

        await Expect(Connection).ToHaveAttributeAsync("data-state", "reconnecting");
        await Expect(Connection).ToContainTextAsync("Reconnecting");
        await WaitForStateAsync(cut, "interrupted");
        await Expect(cut.Locator(".badge.interrupted")).ToHaveTextAsync("Interrupted: the connection dropped");
        await Expect(cut).ToHaveAttributeAsync("data-run-id", runId);
        string atCut = await AnswerText(cut).EvaluateAsync<string>("e => e.textContent");
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15)))
        {
            // Nobody can resume it, so nothing runs on in Letta with nobody listening.
            await gateway.Simulator.Journal.WaitForCancelAsync(runId, timeout.Token);
        }

        await gateway.StartServerAsync();

        await Expect(Connection).ToHaveAttributeAsync("data-state", "live", new() { Timeout = 20_000 });
        await Expect(Connection).ToContainTextAsync("Live");
        await Page.GetByLabel("Agent").SelectOptionAsync(DemoAgents.AdaId);
        ILocator after = await SendAsync("count to 5");
        await WaitForStateAsync(after, "done");
        Assert.AreEqual("1 2 3 4 5", (await AnswerText(after).TextContentAsync())!.Trim());

        // A resume would have been the new socket's first frame, before this message: there was none.
        Assert.IsFalse(sockets.Frames.Any(f => f.Sent && f.Type == "resume"), string.Join('\n', sockets.Frames.Where(f => f.Sent)));
        await Expect(cut).ToHaveAttributeAsync("data-state", "interrupted");
        await Expect(cut.Locator(".badge.interrupted")).ToBeVisibleAsync();
        await Expect(cut.Locator(".badge.resumed")).ToHaveCountAsync(0);
        Assert.AreEqual(atCut, await AnswerText(cut).EvaluateAsync<string>("e => e.textContent"));
    }
}
