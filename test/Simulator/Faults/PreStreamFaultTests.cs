using System.Net;
using LettaSockets.Simulator.Tests.TestSupport;

namespace LettaSockets.Simulator.Tests.Faults;

[TestClass]
public sealed class PreStreamFaultTests
{
    [TestMethod]
    public async Task Status_fault_is_used_once_then_requests_succeed()
    {
        await using var sim = await SimTest.StartAsync();
        sim.AddAgent(_ => AgentScript.Create().Say("ok"));
        sim.Sim.Faults.Enqueue(SimFault.Http(503));

        using var failed = await Send(sim);
        using var succeeded = await Send(sim);

        Assert.AreEqual(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        Assert.AreEqual("application/json", failed.Content.Headers.ContentType?.MediaType);
        Assert.AreEqual(HttpStatusCode.OK, succeeded.StatusCode);
        var records = sim.Sim.Journal.Messages;
        Assert.AreEqual(503, records[0].StatusCode);
        Assert.IsNull(records[0].RunId, "no run exists for a refused request");
        Assert.AreEqual(FaultKind.HttpError, records[0].Fault?.Kind);
        Assert.IsNotNull(records[1].RunId);
        Assert.IsEmpty(sim.Sim.Faults.Pending);
    }

    [TestMethod]
    public async Task Rate_limit_fault_sends_retry_after()
    {
        await using var sim = await SimTest.StartAsync();
        sim.AddAgent(_ => AgentScript.Create().Say("ok"));
        sim.Sim.Faults.Enqueue(SimFault.RateLimited(retryAfterSeconds: 7));

        using var response = await Send(sim);

        Assert.AreEqual(HttpStatusCode.TooManyRequests, response.StatusCode);
        Assert.AreEqual(TimeSpan.FromSeconds(7), response.Headers.RetryAfter?.Delta);
    }

    [TestMethod]
    [DataRow(401, "{\"detail\":\"Unauthorized\"}")]
    [DataRow(410, "{\"detail\":\"EXPIRED: Run was created more than 3 hours ago, and is now expired.\"}")]
    [DataRow(500, "{\"detail\":\"An unknown error occurred\"}")]
    [DataRow(404, "{\"detail\":\"Agent with ID " + SimTest.AgentId + " not found\"}")]
    [DataRow(409, "{\"detail\":\"The resource is currently locked by another operation. Please retry shortly.\"}")]
    public async Task Status_faults_have_Letta_shaped_default_bodies(int status, string body)
    {
        await using var sim = await SimTest.StartAsync();
        sim.AddAgent(_ => AgentScript.Create().Say("ok"));
        sim.Sim.Faults.Enqueue(SimFault.Http(status));

        using var response = await Send(sim);

        Assert.AreEqual(status, (int)response.StatusCode);
        Assert.AreEqual(body, await response.Content.ReadAsStringAsync());
    }

    [TestMethod]
    public async Task Html_fault_is_a_502_page()
    {
        await using var sim = await SimTest.StartAsync();
        sim.AddAgent(_ => AgentScript.Create().Say("ok"));
        sim.Sim.Faults.Enqueue(SimFault.Html());

        using var response = await Send(sim);

        Assert.AreEqual(HttpStatusCode.BadGateway, response.StatusCode);
        Assert.AreEqual("text/html", response.Content.Headers.ContentType?.MediaType);
        StringAssert.Contains(await response.Content.ReadAsStringAsync(), "<h1>502 Bad Gateway</h1>");
    }

    [TestMethod]
    public async Task Abort_fault_drops_the_connection_before_headers()
    {
        await using var sim = await SimTest.StartAsync();
        sim.AddAgent(_ => AgentScript.Create().Say("ok"));
        sim.Sim.Faults.Enqueue(SimFault.Abort());

        await Assert.ThrowsAsync<HttpRequestException>(() => Send(sim));

        Assert.AreEqual(0, sim.Sim.Journal.Messages.Single().StatusCode);
    }

    [TestMethod]
    public async Task Faults_are_scoped_to_their_agent_and_repeat_count()
    {
        await using var sim = await SimTest.StartAsync();
        sim.AddAgent(_ => AgentScript.Create().Say("ok"));
        sim.Sim.Faults.Enqueue(SimFault.Http(503).ForAgent(DemoAgents.AdaId).Repeat(2));

        using var other = await Send(sim);
        using var first = await Send(sim, DemoAgents.AdaId);
        using var second = await Send(sim, DemoAgents.AdaId);
        using var third = await Send(sim, DemoAgents.AdaId);

        Assert.AreEqual(HttpStatusCode.OK, other.StatusCode);
        Assert.AreEqual(HttpStatusCode.ServiceUnavailable, first.StatusCode);
        Assert.AreEqual(HttpStatusCode.ServiceUnavailable, second.StatusCode);
        Assert.AreEqual(HttpStatusCode.OK, third.StatusCode);
    }

    [TestMethod]
    public async Task Cancel_endpoint_faults_fail_or_delay_the_cancel()
    {
        await using var sim = await SimTest.StartAsync(o => o.PaceMultiplier = 1);
        sim.AddAgent(_ => AgentScript.Create().Say("x").Pause(TimeSpan.FromSeconds(30)));
        sim.Sim.Faults.Enqueue(SimFault.Http(500).OnCancel());
        sim.Sim.Faults.Enqueue(SimFault.Delayed(TimeSpan.FromMilliseconds(300)).OnCancel());
        await using var stream = await sim.StreamAsync(SimTest.Body("hi"));
        var runId = (await stream.ReadEventAsync())!.Str("run_id")!;
        Assert.IsTrue(sim.Sim.Runs.TryGet(runId, out var run));
        var path = $"/v1/agents/{SimTest.AgentId}/messages/cancel";

        using var failed = await sim.PostAsync(path, null);
        var statusAfterFailure = run.Status;
        var started = TimeProvider.System.GetTimestamp();
        using var delayed = await sim.PostAsync(path, null);
        var elapsed = TimeProvider.System.GetElapsedTime(started);

        Assert.AreEqual(HttpStatusCode.InternalServerError, failed.StatusCode);
        Assert.AreEqual(SimRunStatus.Running, statusAfterFailure);
        Assert.AreEqual(HttpStatusCode.OK, delayed.StatusCode);
        Assert.IsGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(250), elapsed);
        Assert.AreEqual(SimRunStatus.Cancelled, run.Status);
    }

    [TestMethod]
    public async Task Run_stream_faults_apply_to_reattach()
    {
        await using var sim = await SimTest.StartAsync();
        sim.AddAgent(_ => AgentScript.Create().Say("ok"));
        var runId = (await sim.StreamToEndAsync(SimTest.Body("hi", background: true)))[0].Str("run_id");
        sim.Sim.Faults.Enqueue(SimFault.Http(503).OnRunStream());

        using var failed = await sim.PostAsync($"/v1/runs/{runId}/stream", "{}");
        using var succeeded = await sim.PostAsync($"/v1/runs/{runId}/stream", "{}");

        Assert.AreEqual(HttpStatusCode.ServiceUnavailable, failed.StatusCode);
        Assert.AreEqual(HttpStatusCode.OK, succeeded.StatusCode);
    }

    private static Task<HttpResponseMessage> Send(SimTest sim, string agentId = SimTest.AgentId) =>
        sim.PostAsync($"/v1/agents/{agentId}/messages", SimTest.Body("hi"));
}
