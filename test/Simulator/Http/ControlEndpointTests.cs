using System.Net;
using System.Text.Json;
using LettaSockets.Simulator.Tests.TestSupport;

namespace LettaSockets.Simulator.Tests.Http;

[TestClass]
public sealed class ControlEndpointTests
{
    [TestMethod]
    public async Task Faults_can_be_staged_listed_and_cleared_over_http()
    {
        await using var sim = await SimTest.StartAsync();
        sim.AddAgent(_ => AgentScript.Create().Say("ok"));

        using var added = await sim.PostAsync("/_sim/faults", "{\"kind\":\"http_error\",\"status_code\":503,\"retry_after_seconds\":2,\"times\":2}");
        using var bad = await sim.PostAsync("/_sim/faults", "{\"kind\":\"nonsense\"}");
        var pending = JsonDocument.Parse(await sim.GetStringAsync("/_sim/faults")).RootElement;
        using var refused = await sim.PostAsync($"/v1/agents/{SimTest.AgentId}/messages", SimTest.Body("hi"));
        using var cleared = await sim.Client.DeleteAsync("/_sim/faults").WaitAsync(SimTest.Timeout);
        using var accepted = await sim.PostAsync($"/v1/agents/{SimTest.AgentId}/messages", SimTest.Body("hi"));

        Assert.AreEqual(HttpStatusCode.Created, added.StatusCode);
        Assert.AreEqual(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.AreEqual("http_error", pending[0].GetProperty("kind").GetString());
        Assert.AreEqual(2, pending[0].GetProperty("times").GetInt32());
        Assert.AreEqual(HttpStatusCode.ServiceUnavailable, refused.StatusCode);
        Assert.AreEqual(TimeSpan.FromSeconds(2), refused.Headers.RetryAfter?.Delta);
        Assert.AreEqual(HttpStatusCode.NoContent, cleared.StatusCode);
        Assert.AreEqual(HttpStatusCode.OK, accepted.StatusCode);
    }

    [TestMethod]
    public async Task Journal_is_readable_over_http()
    {
        await using var sim = await SimTest.StartAsync();
        sim.AddAgent(_ => AgentScript.Create().Say("ok"));
        var runId = (await sim.StreamToEndAsync(SimTest.Body("hello journal")))[0].Str("run_id");
        using var cancel = await sim.PostAsync($"/v1/agents/{SimTest.AgentId}/messages/cancel", $"{{\"run_ids\":[\"{runId}\"]}}");

        var journal = JsonDocument.Parse(await sim.GetStringAsync("/_sim/journal")).RootElement;

        var message = journal.GetProperty("messages")[0];
        Assert.AreEqual("hello journal", message.GetProperty("user_text").GetString());
        Assert.AreEqual(runId, message.GetProperty("run_id").GetString());
        Assert.AreEqual(runId, journal.GetProperty("cancels")[0].GetProperty("run_ids")[0].GetString());
        Assert.AreEqual(1, journal.GetProperty("max_concurrent_runs_per_agent").GetProperty(SimTest.AgentId).GetInt32());
        Assert.AreEqual(0, journal.GetProperty("active_runs").GetInt32());
    }

    [TestMethod]
    public async Task Stream_faults_posted_as_json_reach_the_stream()
    {
        await using var sim = await SimTest.StartAsync();
        sim.AddAgent(_ => AgentScript.Create().Say("ok then"));

        using var added = await sim.PostAsync("/_sim/faults", $"{{\"kind\":\"ErrorAfterMessages\",\"agent_id\":\"{SimTest.AgentId}\",\"after_events\":2,\"message\":\"kaput\"}}");
        var events = await sim.StreamToEndAsync(SimTest.Body("hi"));

        Assert.AreEqual(HttpStatusCode.Created, added.StatusCode);
        Assert.AreEqual("ping,assistant_message,stop_reason,error_message", events.Types());
        Assert.AreEqual("kaput", events[^1].Str("detail"));
    }
}
