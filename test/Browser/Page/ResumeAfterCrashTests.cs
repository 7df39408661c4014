using LettaSockets.Browser.Tests.Support;
using Microsoft.Playwright;

namespace LettaSockets.Browser.Tests.Page;

/// <summary>
/// The gateway crashes under a streaming turn (a child process killed with SIGKILL: no drain, no
/// <c>shutdown</c> frame, no close handshake). The page has only its own cursor — the run id and
/// the highest <c>seq</c> it received — and resumes from it once a gateway is back on the port.
/// </summary>
[TestClass]
public sealed class ResumeAfterCrashTests : ResumePageTest
{
    [TestMethod]
    public async Task Server_killed_page_resumes_from_its_own_last_seq_and_the_bubble_ends_with_the_exact_text()
    {
        await using TestGateway gateway = await PageGateway.StartAsync(outOfProcess: true);
        string agent = gateway.AddAgent(name: "Storyteller", behaviour: Storyteller(Story));
        var sockets = new SocketLog(Page);
        await OpenChatAsync(agent, gateway.BaseUri);
        (ILocator turn, string turnId, string runId) = await StartStreamingAsync();

        await gateway.KillServerAsync();

        await WaitForInterruptedAsync(turn, Story);
        long lastSeq = await LastSeqAsync(turn);
        Assert.AreEqual(lastSeq, MaxSeqReceived(sockets, socket: 1, turnId));
        Assert.IsFalse(sockets.Frames.Any(f => f.Type == "shutdown"), "a killed server says nothing");

        await gateway.StartServerAsync();

        SocketFrame resume = await sockets.WaitForAsync("resume", sent: true, TimeSpan.FromSeconds(30));
        Assert.AreEqual(turnId, resume.Id);
        Assert.AreEqual(runId, resume.String("run_id"));
        Assert.AreEqual(lastSeq, resume.Long("after_seq"));
        await AssertEndsWithTheWholeStoryAsync(turn, sockets, turnId, lastSeq);
        Assert.IsFalse(gateway.Simulator.Journal.Cancels.Any(c => c.TargetRunIds.Contains(runId)), "the run was never cancelled in Letta");
    }
}
