using System.Net;
using System.Net.Http.Json;
using System.Text.Json;
using LettaSockets.Protocol.Json;
using LettaSockets.Simulator;

namespace LettaSockets.Server.Tests.Conversations;

/// <summary>
/// Conversations as a first-class choice (docs/PROTOCOL.md, "Conversations and history"): <c>ready</c> says
/// they exist, a client lists and creates an agent's conversations over HTTP under its key's scope, sends into
/// one, and reads back the history of a conversation or of the agent's default one, page by page.
/// </summary>
[TestClass]
public sealed class ConversationTests
{
    private const string FullKey = "conv-full-key-0123456789abcdef";
    private const string ScopedKey = "conv-scoped-key-0123456789abcdef";
    private const string OtherId = "agent-0c0c0c0c-0000-4000-8000-000000000001";
    private static TestGateway s_gateway = null!;
    private static string s_agent = null!;
    private static string s_other = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext _)
    {
        s_gateway = await TestGateway.StartAsync(new Dictionary<string, string?>
        {
            ["Auth:ApiKeys:0:Key"] = FullKey,
            ["Auth:ApiKeys:1:Key"] = ScopedKey,
            ["Auth:ApiKeys:1:Agents:0"] = OtherId,
        });
        s_agent = s_gateway.AddAgent(r => AgentScript.Create().Reasoning("Thinking about it.").Say("answer to " + r.UserText));
        s_gateway.Simulator.Agents.Add(new SimAgent(OtherId, "Other", r => AgentScript.Create().Say("other says " + r.UserText)));
        s_other = OtherId;
    }

    [ClassCleanup]
    public static async Task StopAsync() => await s_gateway.DisposeAsync();

    private static HttpClient Http(string key)
    {
        var http = new HttpClient { BaseAddress = s_gateway.BaseUri, Timeout = TestClient.DefaultTimeout };
        http.DefaultRequestHeaders.Authorization = new("Bearer", key);
        return http;
    }

    private static Task<TestClient> ConnectAsync(string agent, string key = FullKey) =>
        s_gateway.ConnectAsync(agent, o => o.SetRequestHeader("Authorization", $"Bearer {key}"));

    private static async Task<string> CreateConversationAsync(string agent, string? summary = null)
    {
        using HttpClient http = Http(FullKey);
        using HttpResponseMessage created = await http.PostAsJsonAsync($"/api/agents/{agent}/conversations", new { summary });
        Assert.AreEqual(HttpStatusCode.Created, created.StatusCode, await created.Content.ReadAsStringAsync());
        using JsonDocument body = JsonDocument.Parse(await created.Content.ReadAsStringAsync());
        return body.RootElement.GetProperty("id").GetString()!;
    }

    private static async Task<ServerFrame> HistoryAsync(TestClient client, object request, string id)
    {
        await client.SendJsonAsync(request);
        return (await client.ReadTurnAsync(id))[^1];
    }

    [TestMethod]
    public async Task Ready_says_conversations_are_available()
    {
        await using TestClient client = await ConnectAsync(s_agent);

        Assert.IsTrue(client.Ready.Conversations, "Letta's HTTP API has conversations");
    }

    [TestMethod]
    public async Task Conversations_are_created_and_listed_newest_first_and_a_scoped_key_may_not_touch_another_agents()
    {
        string first = await CreateConversationAsync(s_agent, "Trip to Lisbon");
        string second = await CreateConversationAsync(s_agent);
        using HttpClient http = Http(FullKey);
        await using (TestClient client = await ConnectAsync(s_agent))
        {
            await client.SendJsonAsync(new { type = "message", id = "m", content = "hello", conversation_id = first });
            Assert.AreEqual("done", (await client.ReadTurnAsync("m"))[^1].Type);
        }

        using JsonDocument list = JsonDocument.Parse(await http.GetStringAsync($"/api/agents/{s_agent}/conversations"));
        string[] ids = [.. list.RootElement.EnumerateArray().Select(c => c.GetProperty("id").GetString()!)];
        JsonElement trip = list.RootElement.EnumerateArray().Single(c => c.GetProperty("id").GetString() == first);

        CollectionAssert.IsSubsetOf(new[] { first, second }, ids);
        Assert.IsLessThan(Array.IndexOf(ids, first), Array.IndexOf(ids, second), "newest first: " + list.RootElement);
        Assert.AreEqual("Trip to Lisbon", trip.GetProperty("summary").GetString());
        Assert.AreEqual(s_agent, trip.GetProperty("agent_id").GetString());

        // A key scoped to the other agent is refused this one, as on /ws/{agentId}, for listing and creating alike.
        using HttpClient scoped = Http(ScopedKey);
        using HttpResponseMessage listed = await scoped.GetAsync($"/api/agents/{s_agent}/conversations");
        using HttpResponseMessage made = await scoped.PostAsJsonAsync($"/api/agents/{s_agent}/conversations", new { summary = "x" });
        Assert.AreEqual(HttpStatusCode.Forbidden, listed.StatusCode);
        Assert.AreEqual(HttpStatusCode.Forbidden, made.StatusCode);
        StringAssert.Contains(await listed.Content.ReadAsStringAsync(), "forbidden_agent");
        Assert.HasCount(2, list.RootElement.EnumerateArray().Where(c => c.GetProperty("id").GetString() is { } id && (id == first || id == second)), "nothing was created by the refused key");
    }

    [TestMethod]
    public async Task History_shows_both_sides_of_a_conversation_as_the_frames_a_live_turn_used()
    {
        string conversation = await CreateConversationAsync(s_agent);
        await using TestClient client = await ConnectAsync(s_agent);
        await client.SendJsonAsync(new { type = "message", id = "c1", content = "tea?", conversation_id = conversation });
        List<ServerFrame> live = await client.ReadTurnAsync("c1");

        ServerFrame history = await HistoryAsync(client, new { type = "history", id = "h", conversation_id = conversation }, "h");

        Assert.AreEqual("history", history.Type, history.Message);
        Assert.AreEqual(conversation, history.ConversationId);
        Assert.IsFalse(history.HasMore);
        List<ServerFrame> messages = history.Messages!;
        Assert.AreEqual("user_message,reasoning,chunk", string.Join(",", messages.Select(m => m.Type)), string.Join(" | ", messages.Select(m => $"{m.Type}:{m.Content}")));
        Assert.AreEqual("tea?", messages[0].Content);
        Assert.AreEqual("Thinking about it.", messages[1].Content);
        Assert.AreEqual("answer to tea?", messages[2].Content);
        Assert.AreEqual(TestClient.Text(live), messages[2].Content, "the stored answer is the text the turn streamed");
        Assert.AreEqual(live.First(f => f.Type == "chunk").MessageId, messages[2].MessageId, "with the same message_id");
        Assert.IsTrue(messages.All(m => m.RunId == live.First(f => f.RunId is not null).RunId), "all of that turn's run");
    }

    [TestMethod]
    public async Task History_of_the_default_conversation_pages_back_with_before()
    {
        string agent = s_gateway.AddAgent(r => AgentScript.Create().Say("re: " + r.UserText));
        await using TestClient client = await ConnectAsync(agent);
        foreach (string word in new[] { "one", "two", "three" })
        {
            await client.SendJsonAsync(new { type = "message", id = word, content = word });
            Assert.AreEqual("done", (await client.ReadTurnAsync(word))[^1].Type);
        }

        ServerFrame newest = await HistoryAsync(client, new { type = "history", id = "p1", limit = 4 }, "p1");
        ServerFrame older = await HistoryAsync(client, new { type = "history", id = "p2", limit = 4, before = newest.Before }, "p2");

        string Said(ServerFrame page) => string.Join(",", page.Messages!.Select(m => m.Content));
        Assert.AreEqual("two,re: two,three,re: three", Said(newest), "the newest four, oldest first: " + string.Join(" | ", newest.Messages!.Select(m => $"{m.Type}:{m.Content}:{m.Date}")));
        Assert.IsTrue(newest.HasMore);
        Assert.AreEqual("one,re: one", Said(older), "then the page before them");
        Assert.IsFalse(older.HasMore);
    }

    [TestMethod]
    public async Task History_names_nothing_of_another_agent_or_of_an_agent_out_of_the_keys_scope()
    {
        string foreign = await CreateConversationAsync(s_other);
        await using TestClient client = await ConnectAsync(s_agent);

        ServerFrame other = await HistoryAsync(client, new { type = "history", id = "x", conversation_id = foreign }, "x");
        ServerFrame missing = await HistoryAsync(client, new { type = "history", id = "y", conversation_id = "conv-00000000-0000-4000-8000-000000000000" }, "y");
        ServerFrame tooMany = await HistoryAsync(client, new { type = "history", id = "z", limit = 100_000 }, "z");

        Assert.AreEqual("conversation_not_found", other.Code, "another agent's conversation reads as missing");
        Assert.AreEqual(missing.Code, other.Code);
        Assert.AreEqual(missing.Message, other.Message, "indistinguishable from one that does not exist");
        Assert.AreEqual("bad_frame", tooMany.Code);
    }

    [TestMethod]
    public async Task A_conversation_busy_with_another_sockets_turn_answers_busy_naming_that_run()
    {
        string slow = s_gateway.AddAgent(_ => AgentScript.Create().Say(string.Join(' ', Enumerable.Range(1, 200).Select(i => $"w{i}"))).WithTokenDelay(TimeSpan.FromMilliseconds(20)));
        string conversation = await CreateConversationAsync(slow);
        await using TestClient first = await ConnectAsync(slow);
        await using TestClient second = await ConnectAsync(slow);
        await first.SendJsonAsync(new { type = "message", id = "a", content = "go", conversation_id = conversation });
        string run = (await first.ReadUntilAsync(f => f.Id == "a" && f.RunId is not null))[^1].RunId!;

        await second.SendJsonAsync(new { type = "message", id = "b", content = "me too", conversation_id = conversation });
        ServerFrame busy = (await second.ReadTurnAsync("b"))[^1];

        Assert.AreEqual("busy", busy.Code);
        Assert.IsTrue(busy.Retryable);
        StringAssert.Contains(busy.Detail, run, "the run that holds the conversation");
        await first.CancelAsync("a");
        Assert.AreEqual("done", (await first.ReadTurnAsync("a"))[^1].Type);
    }

    [TestMethod]
    public async Task A_turn_in_a_conversation_resumes_by_its_request_id_after_the_socket_dropped()
    {
        string words = string.Join(' ', Enumerable.Range(1, 150).Select(i => $"w{i}"));
        string slow = s_gateway.AddAgent(_ => AgentScript.Create().Say(words).WithTokenDelay(TimeSpan.FromMilliseconds(8)));
        string conversation = await CreateConversationAsync(slow);
        TestClient first = await ConnectAsync(slow);
        await first.SendJsonAsync(new { type = "message", id = "in-conv", content = "go", conversation_id = conversation, resumable = true });
        await first.ReadUntilAsync(f => f.Id == "in-conv" && f.Type == "chunk");
        first.Socket.Abort();
        first.Socket.Dispose();

        await using TestClient second = await ConnectAsync(slow);
        await second.SendJsonAsync(new { type = "resume", id = "in-conv", conversation_id = conversation, after_seq = 0 });
        List<ServerFrame> resumed = await second.ReadTurnAsync("in-conv", TimeSpan.FromSeconds(30));

        Assert.AreEqual("done", resumed[^1].Type, resumed[^1].Message);
        Assert.AreEqual(words, TestClient.Text(resumed), "the whole turn, found in its conversation by its request id");
    }
}
