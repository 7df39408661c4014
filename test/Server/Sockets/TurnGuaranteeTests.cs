using LettaSockets.Protocol.Json;
using LettaSockets.Simulator;

namespace LettaSockets.Server.Tests.Sockets;

/// <summary>docs/PROTOCOL.md rules 1, 2 and 6 over real Kestrel and the simulator.</summary>
[TestClass]
public sealed class TurnGuaranteeTests
{
    private static TestGateway s_gateway = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext _) => s_gateway = await TestGateway.StartAsync();

    [ClassCleanup]
    public static async Task StopAsync() => await s_gateway.DisposeAsync();

    [TestMethod]
    public async Task A_turn_streams_in_letta_order_and_its_text_is_byte_exact()
    {
        await using TestClient client = await s_gateway.ConnectAsync(DemoAgents.AdaId);
        string expected = string.Join(' ', Enumerable.Range(1, 600));

        await client.SendMessageAsync("t1", "count to 600");
        List<ServerFrame> frames = await client.ReadTurnAsync("t1");

        Assert.AreEqual("status", frames[0].Type);
        Assert.AreEqual("thinking", frames[0].Status);
        Assert.AreEqual("running", frames[1].Status);
        Assert.IsNotNull(frames[1].RunId);
        Assert.AreEqual(expected, TestClient.Text(frames));
        Assert.IsTrue(frames.Where(f => f.Type == "chunk").All(f => f.AgentId == DemoAgents.AdaId && f.RunId == frames[1].RunId));

        ServerFrame done = frames[^1];
        Assert.AreEqual("done", done.Type);
        Assert.AreEqual("end_turn", done.StopReason);
        Assert.IsNotNull(done.Usage, "Letta's usage is relayed");
        Assert.AreEqual(expected.Length, done.Metrics!["output_chars"].GetInt32());
        Assert.IsTrue(done.Metrics["chunks"].GetInt32() >= done.Metrics["frames"].GetInt32() - 3);
    }

    [TestMethod]
    public async Task Every_request_gets_exactly_one_terminal_frame_and_nothing_after_it()
    {
        string slow = s_gateway.AddAgent(_ => AgentScript.Create().Say(string.Join(' ', Enumerable.Repeat("word", 40))).WithTokenDelay(TimeSpan.FromMilliseconds(10)));
        await using TestClient client = await s_gateway.ConnectAsync(slow);

        await client.SendMessageAsync("a", "one");
        await client.SendMessageAsync("b", "two (busy)");
        await client.SendJsonAsync(new { type = "message", id = "c" }); // no content: rejected
        await client.SendMessageAsync("d", "x", agentId: "bad id!");       // invalid agent id: rejected
        await client.ReadTurnAsync("a");
        await client.SendMessageAsync("e", "three");
        await client.ReadTurnAsync("e");
        await client.BarrierAsync();

        foreach (string id in new[] { "a", "b", "c", "d", "e" })
        {
            List<ServerFrame> own = client.Received.Where(f => f.Id == id).ToList();
            Assert.AreEqual(1, own.Count(f => f.IsTerminal), $"request {id} has one terminal frame");
            Assert.IsTrue(own[^1].IsTerminal, $"nothing follows request {id}'s terminal frame");
        }

        Assert.AreEqual("busy", client.Received.Single(f => f.Id == "b").Code);
        Assert.AreEqual("a", client.Received.Single(f => f.Id == "b").Detail, "busy names the active turn");
        Assert.AreEqual("bad_frame", client.Received.Single(f => f.Id == "c").Code);
        Assert.AreEqual("invalid_agent_id", client.Received.Single(f => f.Id == "d").Code);
    }

    [TestMethod]
    public async Task Two_agents_stream_at_once_on_one_socket()
    {
        await using TestClient client = await s_gateway.ConnectAsync(DemoAgents.AdaId);

        await client.SendMessageAsync("x", "count to 300");
        await client.SendMessageAsync("y", "count to 200", agentId: DemoAgents.SageId);
        await client.ReadUntilAsync(_ => client.Received.Count(f => f.IsTerminal) == 2);

        List<ServerFrame> x = client.Received.Where(f => f.Id == "x").ToList();
        List<ServerFrame> y = client.Received.Where(f => f.Id == "y").ToList();
        Assert.AreEqual("done", x[^1].Type);
        Assert.AreEqual("done", y[^1].Type);
        Assert.AreEqual(string.Join(' ', Enumerable.Range(1, 300)), TestClient.Text(x));
        Assert.IsTrue(y.All(f => f.AgentId == DemoAgents.SageId));
        Assert.IsTrue(y.Any(f => f.Type == "reasoning"), "Sage reasons before answering");
        int firstY = client.Received.FindIndex(f => f.Id == "y" && f.Type == "chunk");
        int lastX = client.Received.FindLastIndex(f => f.Id == "x" && f.Type == "chunk");
        Assert.IsTrue(firstY < lastX, "the two turns interleave");
    }

    [TestMethod]
    public async Task Max_active_turns_is_enforced()
    {
        string[] agents = Enumerable.Range(0, 5).Select(_ => s_gateway.AddAgent(_ => AgentScript.Create().Pause(TimeSpan.FromSeconds(2)).Say("late"))).ToArray();
        await using TestClient client = await s_gateway.ConnectAsync(agents[0]);

        for (int i = 0; i < 5; i++)
        {
            await client.SendMessageAsync($"m{i}", "hi", agents[i]);
        }

        ServerFrame refused = (await client.ReadUntilAsync(f => f.Type == "error"))[^1];
        Assert.AreEqual("too_many_turns", refused.Code);
        Assert.AreEqual("m4", refused.Id);
        Assert.AreEqual(4, client.Ready.Limits!["max_active_turns"].GetInt32());
        await client.CancelAsync();
    }

    [TestMethod]
    public async Task Seed_shorthands_start_turns()
    {
        await using TestClient client = await s_gateway.ConnectAsync(DemoAgents.AdaId);

        await client.SendAsync("{\"message\":\"count to 5\"}");
        List<ServerFrame> json = await client.ReadUntilAsync(f => f.IsTerminal);
        Assert.AreEqual("1 2 3 4 5", TestClient.Text(json));
        Assert.AreEqual("done", json[^1].Type);

        await client.SendAsync("count to 3");
        List<ServerFrame> plain = await client.ReadUntilAsync(f => f.IsTerminal);
        Assert.AreEqual("1 2 3", TestClient.Text(plain));
        Assert.AreNotEqual(json[^1].Id, plain[^1].Id, "the server assigns distinct ids");
    }

    [TestMethod]
    public async Task Ws_without_a_default_agent_needs_agent_id_per_message()
    {
        await using TestClient client = await TestClient.ConnectAsync(s_gateway.WebSocketUri(null), o => o.AddSubProtocol("letta-sockets.v1"));

        Assert.AreEqual("letta-sockets.v1", client.Socket.SubProtocol);
        Assert.AreEqual("letta-sockets.v1", client.Ready.Protocol);
        Assert.IsNotNull(client.Ready.ConnectionId);
        Assert.IsNull(client.Ready.AgentId);
        Assert.AreEqual("no_default_agent", (await client.ReceiveAsync()).Code);

        await client.SendMessageAsync("n1", "hi");
        Assert.AreEqual("no_default_agent", (await client.ReadTurnAsync("n1"))[^1].Code);
        await client.SendMessageAsync("n2", "count to 3", DemoAgents.AdaId);
        Assert.AreEqual("1 2 3", TestClient.Text(await client.ReadTurnAsync("n2")));

        await client.SendJsonAsync(new { type = "ping", id = "p1" });
        Assert.AreEqual("p1", (await client.ReadUntilAsync(f => f.Type == "pong"))[^1].Id);
    }

    [TestMethod]
    public async Task Unknown_agent_upgrades_then_fails_with_agent_not_found()
    {
        await using TestClient client = await s_gateway.ConnectAsync($"agent-{Guid.NewGuid()}");

        await client.SendMessageAsync("q", "hello");
        ServerFrame error = (await client.ReadTurnAsync("q"))[^1];

        Assert.AreEqual("agent_not_found", error.Code);
        Assert.IsFalse(error.Retryable);
    }

    [TestMethod]
    public async Task Agent_id_syntax_is_checked_before_the_upgrade()
    {
        using var http = new HttpClient { BaseAddress = s_gateway.BaseUri, Timeout = TimeSpan.FromSeconds(10) };

        using HttpResponseMessage response = await http.GetAsync("/ws/agent%2E%2E%2Fadmin");
        string body = await response.Content.ReadAsStringAsync();

        Assert.AreEqual(400, (int)response.StatusCode);
        StringAssert.Contains(body, "invalid_agent_id");
    }
}
