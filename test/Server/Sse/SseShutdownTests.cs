using System.Net;
using System.Text;
using LettaSockets.Protocol.Json;
using LettaSockets.Simulator;

namespace LettaSockets.Server.Tests.Sse;

/// <summary><c>POST /stream</c> drains on shutdown like a WebSocket: new requests are refused, a running
/// one may finish for the drain timeout, then ends with <c>done</c> (<c>cancelled_by: shutdown</c>) and
/// its run is cancelled in Letta before the host stops.</summary>
[TestClass]
public sealed class SseShutdownTests
{
    [TestMethod]
    public async Task A_stream_still_running_at_the_end_of_the_drain_ends_cancelled_by_shutdown()
    {
        await using TestGateway gateway = await TestGateway.StartAsync(new Dictionary<string, string?> { ["Sockets:DrainTimeout"] = "00:00:01" });
        string agent = gateway.AddAgent(_ => AgentScript.Create().Say("first words").Pause(TimeSpan.FromSeconds(60)).Say("never sent"));
        await using SseCall call = await SseCall.PostAsync(gateway.BaseUri, agent, "go");
        string? runId = null;
        while (runId is null && await call.ReadEventAsync() is { } ev)
        {
            runId = SseCall.Frame(ev).RunId;
        }

        Task stopping = gateway.App.StopAsync();
        using (var http = new HttpClient { BaseAddress = gateway.BaseUri, Timeout = TestClient.DefaultTimeout })
        {
            using var body = new StringContent($"{{\"agent_id\":\"{agent}\",\"message\":\"late\"}}", Encoding.UTF8, "application/json");
            using HttpResponseMessage late = await http.PostAsync("/stream", body);
            Assert.AreEqual(HttpStatusCode.ServiceUnavailable, late.StatusCode, "no new streams while draining");
            StringAssert.Contains(await late.Content.ReadAsStringAsync(), "shutting_down");
        }

        List<string> rest = await call.ReadToEndAsync();
        await stopping.WaitAsync(TimeSpan.FromSeconds(30));

        ServerFrame done = SseCall.Frame(rest[^1]);
        Assert.AreEqual("done", done.Type);
        Assert.AreEqual("cancelled", done.StopReason);
        Assert.AreEqual("shutdown", done.CancelledBy);
        Assert.IsFalse(rest.Select(SseCall.Frame).Any(f => f.Content == "never sent"));
        Assert.IsTrue(gateway.Simulator.Journal.Cancels.Any(c => c.RunIds?.Contains(runId!) == true), "the run was cancelled in Letta before the host stopped");
    }
}
