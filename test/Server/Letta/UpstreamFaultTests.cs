using LettaSockets.Protocol.Json;
using LettaSockets.Simulator;

namespace LettaSockets.Server.Tests.Letta;

/// <summary>Retries of the opening request, and typed errors for upstream failures.</summary>
[TestClass]
public sealed class UpstreamFaultTests
{
    private static TestGateway s_gateway = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext _) =>
        s_gateway = await TestGateway.StartAsync(new Dictionary<string, string?>
        {
            ["Letta:IdleTimeout"] = "00:00:01",
            ["Letta:CircuitBreaker:Enabled"] = "false",
        });

    [ClassCleanup]
    public static async Task StopAsync() => await s_gateway.DisposeAsync();

    private static string Agent() => s_gateway.AddAgent(_ => AgentScript.Create().Say("alpha beta gamma delta"));

    private static async Task<List<ServerFrame>> RunTurnAsync(string agent, SimFault? fault)
    {
        if (fault is not null)
        {
            s_gateway.Simulator.Faults.Enqueue(fault.ForAgent(agent));
        }

        await using TestClient client = await s_gateway.ConnectAsync(agent);
        await client.SendMessageAsync("t", "hi");
        return await client.ReadTurnAsync("t");
    }

    [TestMethod]
    public async Task A_5xx_before_the_stream_is_retried_with_the_same_otid()
    {
        string agent = Agent();

        List<ServerFrame> turn = await RunTurnAsync(agent, SimFault.Http(503));

        Assert.AreEqual("done", turn[^1].Type);
        Assert.AreEqual("alpha beta gamma delta", TestClient.Text(turn));
        var requests = s_gateway.Simulator.Journal.Messages.Where(m => m.AgentId == agent).ToList();
        Assert.AreEqual(2, requests.Count);
        Assert.AreEqual(503, requests[0].StatusCode);
        Assert.AreEqual(requests[0].Otid, requests[1].Otid, "a retry re-sends the same input otid");
    }

    [TestMethod]
    public async Task A_429_with_retry_after_is_retried()
    {
        string agent = Agent();

        List<ServerFrame> turn = await RunTurnAsync(agent, SimFault.RateLimited(retryAfterSeconds: 1));

        Assert.AreEqual("done", turn[^1].Type);
        var requests = s_gateway.Simulator.Journal.Messages.Where(m => m.AgentId == agent).ToList();
        Assert.IsTrue((requests[1].ReceivedAt - requests[0].ReceivedAt) >= TimeSpan.FromMilliseconds(900), "Retry-After is honoured");
    }

    [TestMethod]
    public async Task Persistent_5xx_ends_with_upstream_unavailable_after_bounded_retries()
    {
        string agent = Agent();

        List<ServerFrame> turn = await RunTurnAsync(agent, SimFault.Http(500).Repeat(10));

        Assert.AreEqual("upstream_unavailable", turn[^1].Code);
        Assert.IsTrue(turn[^1].Retryable);
        Assert.AreEqual(3, s_gateway.Simulator.Journal.Messages.Count(m => m.AgentId == agent), "one attempt and two retries");
    }

    [TestMethod]
    public async Task A_failure_after_the_first_relayed_event_is_an_error_and_never_retried()
    {
        string agent = Agent();

        List<ServerFrame> turn = await RunTurnAsync(agent, SimFault.CutOff(afterEvents: 3));

        Assert.AreEqual("error", turn[^1].Type);
        Assert.AreEqual("upstream_unavailable", turn[^1].Code);
        Assert.AreEqual(1, s_gateway.Simulator.Journal.Messages.Count(m => m.AgentId == agent), "no second user message in Letta");
    }

    [TestMethod]
    public async Task An_in_stream_agent_error_is_agent_error_with_letta_detail()
    {
        string agent = Agent();

        List<ServerFrame> turn = await RunTurnAsync(agent, SimFault.ErrorBeforeMessages());

        ServerFrame error = turn[^1];
        Assert.AreEqual("agent_error", error.Code);
        Assert.AreEqual("llm_api_error", error.StopReason);
        StringAssert.StartsWith(error.Detail, "llm_rate_limit");
        Assert.IsTrue(error.Retryable);
    }

    [TestMethod]
    public async Task A_stalled_stream_times_out_and_the_run_is_cancelled()
    {
        string agent = Agent();

        List<ServerFrame> turn = await RunTurnAsync(agent, SimFault.Stall(afterEvents: 1));

        Assert.AreEqual("upstream_timeout", turn[^1].Code);
        string runId = turn.First(f => f.RunId is not null).RunId!;
        using var timeout = new CancellationTokenSource(TestClient.DefaultTimeout);
        await s_gateway.Simulator.Journal.WaitForCancelAsync(runId, timeout.Token);
    }

    [TestMethod]
    public async Task An_html_error_page_is_a_typed_error()
    {
        List<ServerFrame> turn = await RunTurnAsync(Agent(), SimFault.Html(401));

        Assert.AreEqual("upstream_unauthorized", turn[^1].Code);
    }
}
