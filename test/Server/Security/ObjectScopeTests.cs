using System.Net;
using System.Text;
using System.Text.Json;
using LettaSockets.Protocol.Json;
using LettaSockets.Server.Security;
using LettaSockets.Simulator;
using Microsoft.Extensions.DependencyInjection;

namespace LettaSockets.Server.Tests.Security;

/// <summary>
/// docs/PROTOCOL.md, rule 7: a key scoped to agent A reaches nothing of agent B through any id a frame or request
/// names — B's runs (resume), B's conversations, B's pending approvals — and a refusal reads exactly
/// like a missing object. An unscoped key still reaches everything, through the object's own agent.
/// </summary>
[TestClass]
public sealed class ObjectScopeTests
{
    private const string ScopedKey = "scope-a-0123456789abcdef";
    private const string FullKey = "scope-full-0123456789abcdef";
    private const string MissingRun = "run-00000000-0000-4000-8000-000000000000";
    private const string MissingConversation = "conv-00000000-0000-4000-8000-000000000000";
    private static readonly string AgentA = $"agent-{Guid.NewGuid()}";
    private static readonly string AgentB = $"agent-{Guid.NewGuid()}";
    private static TestGateway s_gateway = null!;
    private static string s_runOfB = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext _)
    {
        s_gateway = await TestGateway.StartAsync(new Dictionary<string, string?>
        {
            ["Auth:ApiKeys:0:Key"] = ScopedKey,
            ["Auth:ApiKeys:0:Agents:0"] = AgentA,
            ["Auth:ApiKeys:1:Key"] = FullKey,
        });
        s_gateway.Simulator.Agents.Add(new SimAgent(AgentA, "A", _ => AgentScript.Create().Say("alpha answer").WithTokenDelay(TimeSpan.FromMilliseconds(2))));
        s_gateway.Simulator.Agents.Add(new SimAgent(AgentB, "B", r => r.Approvals.Count == 0
            ? AgentScript.Create().Say("bravo private words").WithTokenDelay(TimeSpan.FromMilliseconds(2))
            : AgentScript.Create().Say("bravo approved").WithTokenDelay(TimeSpan.FromMilliseconds(2))));

        await using TestClient owner = await ConnectAsync(AgentB, FullKey);
        await owner.SendJsonAsync(new { type = "message", id = "b1", content = "hi", resumable = true });
        List<ServerFrame> turn = await owner.ReadTurnAsync("b1");
        Assert.AreEqual("done", turn[^1].Type);
        s_runOfB = turn.First(f => f.RunId is not null).RunId!;
    }

    [ClassCleanup]
    public static async Task StopAsync() => await s_gateway.DisposeAsync();

    private static Task<TestClient> ConnectAsync(string agent, string key) =>
        s_gateway.ConnectAsync(agent, o => o.SetRequestHeader("Authorization", $"Bearer {key}"));

    [TestMethod]
    public async Task A_scoped_key_cannot_resume_another_agents_run_and_the_refusal_reads_like_a_missing_run()
    {
        await using TestClient client = await ConnectAsync(AgentA, ScopedKey);

        await client.SendJsonAsync(new { type = "resume", id = "foreign", run_id = s_runOfB, after_seq = 0 });
        List<ServerFrame> foreign = await client.ReadTurnAsync("foreign");
        await client.CancelAsync(); // nothing to cancel: the foreign run id was never taken up
        await client.SendJsonAsync(new { type = "resume", id = "missing", run_id = MissingRun, after_seq = 0 });
        List<ServerFrame> missing = await client.ReadTurnAsync("missing");
        await client.BarrierAsync();

        Assert.AreEqual("run_not_found", foreign[^1].Code);
        Assert.AreEqual(missing[^1].Code, foreign[^1].Code, "a foreign run is refused like a missing one");
        Assert.AreEqual(missing[^1].Message, foreign[^1].Message);
        Assert.AreEqual(missing[^1].Detail, foreign[^1].Detail);
        Assert.IsFalse(client.Received.Any(f => f.Type is "chunk" or "reasoning" or "tool_call"), "no content of B's run reaches the client");
        Assert.IsFalse(client.Received.Any(f => f.RunId == s_runOfB), "B's run id is never echoed as this turn's run");
        Assert.IsFalse(s_gateway.Simulator.Journal.Cancels.Any(c => c.RunIds?.Contains(s_runOfB) == true), "B's run is never cancelled through A's key");
    }

    [TestMethod]
    public async Task An_unscoped_key_on_one_agent_cannot_resume_another_agents_run_either_but_can_through_its_own_agent()
    {
        await using TestClient onA = await ConnectAsync(AgentA, FullKey);
        await onA.SendJsonAsync(new { type = "resume", id = "mislabelled", run_id = s_runOfB, after_seq = 0 });
        await onA.SendJsonAsync(new { type = "resume", id = "through-b", run_id = s_runOfB, after_seq = 0, agent_id = AgentB });
        List<ServerFrame> mislabelled = await onA.ReadTurnAsync("mislabelled");
        List<ServerFrame> throughB = (await onA.ReadUntilAsync(f => f.Id == "through-b" && f.IsTerminal)).Where(f => f.Id == "through-b").ToList();

        Assert.AreEqual("run_not_found", mislabelled[^1].Code, "a run is only ever streamed as its own agent's turn");
        Assert.AreEqual("done", throughB[^1].Type);
        Assert.AreEqual("bravo private words", TestClient.Text(throughB), "the unscoped key reaches B's run through B");
        Assert.IsTrue(throughB.Where(f => f.Type == "chunk").All(f => f.AgentId == AgentB));
    }

    [TestMethod]
    public async Task Resume_by_request_id_never_reaches_another_agents_turn()
    {
        string conversationOfB = s_gateway.Simulator.Conversations.Create(AgentB);
        await using TestClient owner = await ConnectAsync(AgentB, FullKey);
        await owner.SendJsonAsync(new { type = "message", id = "shared-id", content = "hi", conversation_id = conversationOfB, resumable = true });
        Assert.AreEqual("done", (await owner.ReadTurnAsync("shared-id"))[^1].Type);
        await using TestClient client = await ConnectAsync(AgentA, ScopedKey);

        // The same request id B used, on A's socket: in B's conversation, then in A's own default conversation.
        await client.SendJsonAsync(new { type = "resume", id = "shared-id", conversation_id = conversationOfB, after_seq = 0 });
        ServerFrame inB = (await client.ReadTurnAsync("shared-id"))[^1];
        await client.SendJsonAsync(new { type = "resume", id = "shared-id", after_seq = 0 });
        ServerFrame inA = (await client.ReadTurnAsync("shared-id"))[^1];
        await client.BarrierAsync();

        Assert.AreEqual("conversation_not_found", inB.Code, inB.Message);
        Assert.AreEqual("run_not_found", inA.Code, "a request id is A's own: B's turn of that id is never found through A");
        Assert.IsFalse(client.Received.Any(f => f.Type == "chunk"), "no content of B's turn reaches A's socket");
    }

    [TestMethod]
    public async Task A_scoped_key_cannot_write_to_another_agents_conversation()
    {
        string conversationOfB = s_gateway.Simulator.Conversations.Create(AgentB);
        await using TestClient client = await ConnectAsync(AgentA, ScopedKey);

        await client.SendJsonAsync(new { type = "message", id = "foreign", content = "hello B", conversation_id = conversationOfB });
        List<ServerFrame> foreign = await client.ReadTurnAsync("foreign");
        await client.SendJsonAsync(new { type = "message", id = "missing", content = "hello", conversation_id = MissingConversation });
        List<ServerFrame> missing = await client.ReadTurnAsync("missing");

        Assert.AreEqual("conversation_not_found", foreign[^1].Code);
        Assert.AreEqual(missing[^1].Code, foreign[^1].Code, "a foreign conversation is refused like a missing one");
        Assert.AreEqual(missing[^1].Message, foreign[^1].Message);
        Assert.AreEqual(0, s_gateway.Simulator.Journal.MessagesToConversation(conversationOfB).Count, "B's conversation receives nothing");
        Assert.IsFalse(client.Received.Any(f => f.Type == "chunk"));
    }

    [TestMethod]
    public async Task Own_conversations_work_and_their_owner_is_looked_up_once()
    {
        string conversationOfA = s_gateway.Simulator.Conversations.Create(AgentA);
        ObjectAuthorizer authorizer = s_gateway.Services.GetRequiredService<ObjectAuthorizer>();
        await using TestClient client = await ConnectAsync(AgentA, ScopedKey);

        long before = authorizer.Lookups;
        await client.SendJsonAsync(new { type = "message", id = "c1", content = "one", conversation_id = conversationOfA });
        List<ServerFrame> first = await client.ReadTurnAsync("c1");
        await client.SendJsonAsync(new { type = "message", id = "c2", content = "two", conversation_id = conversationOfA });
        List<ServerFrame> second = await client.ReadTurnAsync("c2");

        Assert.AreEqual("done", first[^1].Type);
        Assert.AreEqual("done", second[^1].Type);
        Assert.AreEqual("alpha answer", TestClient.Text(second));
        Assert.AreEqual(2, s_gateway.Simulator.Journal.MessagesToConversation(conversationOfA).Count);
        Assert.AreEqual(1, authorizer.Lookups - before, "the conversation's owner is asked of Letta once, then cached");
    }

    [TestMethod]
    public async Task An_approval_only_ever_reaches_the_turns_own_agent()
    {
        int toB = s_gateway.Simulator.Journal.Messages.Count(m => m.AgentId == AgentB);
        await using TestClient client = await ConnectAsync(AgentA, ScopedKey);

        await client.SendJsonAsync(new { type = "approve", id = "p", tool_call_id = $"call-{s_runOfB}", approve = true });
        await client.SendJsonAsync(new { type = "approve", id = "q", tool_call_id = "call-x", approve = true, agent_id = AgentB });
        await client.ReadUntilAsync(_ => client.Received.Count(f => f.IsTerminal && f.Id is "p" or "q") == 2);

        Assert.AreEqual("invalid_agent_id", client.Received.Single(f => f.Id == "q" && f.IsTerminal).Code, "naming B is refused at admission");
        Assert.AreEqual(toB, s_gateway.Simulator.Journal.Messages.Count(m => m.AgentId == AgentB), "no approval reached B");
        Assert.IsFalse(client.Received.Any(f => f.Content?.Contains("bravo", StringComparison.Ordinal) == true));
    }

    [TestMethod]
    public async Task A_scoped_key_cannot_follow_another_agents_conversation_or_agent()
    {
        string conversationOfB = s_gateway.Simulator.Conversations.Create(AgentB);
        await using TestClient client = await ConnectAsync(AgentA, ScopedKey);

        await client.SendJsonAsync(new { type = "follow", id = "foreign", conversation_id = conversationOfB });
        ServerFrame foreign = (await client.ReadUntilAsync(f => f.Id == "foreign" && f.IsTerminal))[^1];
        await client.SendJsonAsync(new { type = "follow", id = "missing", conversation_id = MissingConversation });
        ServerFrame missing = (await client.ReadUntilAsync(f => f.Id == "missing" && f.IsTerminal))[^1];
        await client.SendJsonAsync(new { type = "follow", id = "as-b", agent_id = AgentB });
        ServerFrame asB = (await client.ReadUntilAsync(f => f.Id == "as-b" && f.IsTerminal))[^1];

        // B's next turn in that conversation runs to its end without any of it reaching A's socket.
        await using TestClient owner = await ConnectAsync(AgentB, FullKey);
        await owner.SendJsonAsync(new { type = "message", id = "b2", content = "hi", conversation_id = conversationOfB, resumable = true });
        Assert.AreEqual("done", (await owner.ReadTurnAsync("b2"))[^1].Type);
        await client.BarrierAsync();

        Assert.AreEqual("conversation_not_found", foreign.Code, foreign.Message);
        Assert.AreEqual(missing.Code, foreign.Code, "a foreign conversation is refused like a missing one");
        Assert.AreEqual(missing.Message, foreign.Message);
        Assert.AreEqual("invalid_agent_id", asB.Code);
        Assert.IsFalse(client.Received.Any(f => f.Followed == true || f.Type == "chunk"), "nothing of B's turns reaches A's socket");
    }

    [TestMethod]
    public async Task Post_stream_checks_the_conversation_too()
    {
        string conversationOfB = s_gateway.Simulator.Conversations.Create(AgentB);
        string conversationOfA = s_gateway.Simulator.Conversations.Create(AgentA);
        using var http = new HttpClient { BaseAddress = s_gateway.BaseUri, Timeout = TestClient.DefaultTimeout };

        string foreign = await PostStreamAsync(http, new { agent_id = AgentA, message = "hi", conversation_id = conversationOfB });
        string own = await PostStreamAsync(http, new { agent_id = AgentA, message = "hi", conversation_id = conversationOfA });

        StringAssert.Contains(foreign, "\"code\":\"conversation_not_found\"");
        Assert.IsFalse(foreign.Contains("bravo", StringComparison.Ordinal));
        Assert.AreEqual(0, s_gateway.Simulator.Journal.MessagesToConversation(conversationOfB).Count, "B's conversation receives nothing over /stream");
        StringAssert.Contains(own, "{\"type\":\"done\"");
        Assert.AreEqual(1, s_gateway.Simulator.Journal.MessagesToConversation(conversationOfA).Count);
    }

    private static async Task<string> PostStreamAsync(HttpClient http, object body)
    {
        using var request = new HttpRequestMessage(HttpMethod.Post, "/stream") { Content = new StringContent(JsonSerializer.Serialize(body), Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", ScopedKey);
        using HttpResponseMessage response = await http.SendAsync(request);
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        return await response.Content.ReadAsStringAsync();
    }
}
