using System.Net;
using System.Text.Json;
using LettaSockets.Simulator.Tests.TestSupport;

namespace LettaSockets.Simulator.Tests.History;

[TestClass]
public sealed class HistoryTests
{
    private static string Send(string text, string otid, bool tokens = true) =>
        "{\"messages\":[{\"role\":\"user\",\"content\":" + JsonSerializer.Serialize(text) + $",\"otid\":\"{otid}\"}}],\"streaming\":true"
        + (tokens ? ",\"stream_tokens\":true" : "") + "}";

    private static async Task<JsonElement[]> ListAsync(SimTest sim, string path)
    {
        using var response = await sim.Client.GetAsync(path).WaitAsync(SimTest.Timeout);
        var text = await response.Content.ReadAsStringAsync().WaitAsync(SimTest.Timeout);
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, text);
        return [.. JsonDocument.Parse(text).RootElement.EnumerateArray()];
    }

    private static string Types(IEnumerable<JsonElement> messages) =>
        string.Join(",", messages.Select(m => m.GetProperty("message_type").GetString()));

    private static string Field(JsonElement message, string name) => message.GetProperty(name).GetString()!;

    [TestMethod]
    public async Task A_token_streamed_turn_is_stored_whole_as_step_streaming_would_send_it()
    {
        await using var sim = await SimTest.StartAsync();
        sim.AddAgent(_ => AgentScript.Create().Reasoning("Thinking it over.").ToolCall("roll_dice", "{\"num_sides\": 6}", result: "4").Say("You rolled a 4."));
        const string Otid = "11111111-2222-4333-8444-555555555555";

        var events = await sim.StreamToEndAsync(Send("roll it", Otid));
        var runId = events[0].Str("run_id")!;
        var stored = await ListAsync(sim, $"/v1/runs/{runId}/messages");

        Assert.AreEqual("user_message,reasoning_message,tool_call_message,tool_return_message,assistant_message", Types(stored));
        var user = stored[0];
        Assert.AreEqual(Otid, Field(user, "otid"), "the client's otid is kept: it is the idempotency key");
        Assert.AreEqual("roll it", Field(user, "content"));
        Assert.MatchesRegex(@"^message-[0-9a-f-]{36}$", Field(user, "id"));
        Assert.AreEqual("Thinking it over.", Field(stored[1], "reasoning"));
        Assert.AreEqual("{\"num_sides\": 6}", stored[2].GetProperty("tool_call").GetProperty("arguments").GetString());
        Assert.AreEqual(JsonValueKind.Array, stored[2].GetProperty("tool_calls").ValueKind, "the whole-message shape, as in step mode");
        Assert.AreEqual("4", Field(stored[3], "tool_return"));
        Assert.AreEqual("You rolled a 4.", Field(stored[4], "content"));
        Assert.IsTrue(stored.All(m => m.GetProperty("seq_id").ValueKind == JsonValueKind.Null && Field(m, "run_id") == runId));

        // The stored agent messages keep the stream's ids and otids: a client can match what it saw live.
        var streamed = events.Where(e => e.MessageType is "reasoning_message" or "tool_call_message" or "assistant_message")
            .Select(e => (e.Str("id"), e.Str("otid"))).Distinct().ToList();
        var kept = stored.Where(m => Field(m, "message_type") is "reasoning_message" or "tool_call_message" or "assistant_message")
            .Select(m => ((string?)Field(m, "id"), (string?)Field(m, "otid"))).ToList();
        CollectionAssert.AreEqual(streamed, kept);
    }

    [TestMethod]
    public async Task Messages_are_stored_at_the_end_of_each_step_as_Letta_persists_them()
    {
        await using var sim = await SimTest.StartAsync(o => o.PaceMultiplier = 1);
        sim.AddAgent(_ => AgentScript.Create()
            .Say("first step").Pause(TimeSpan.FromMinutes(5)).ToolCall("look", "{}", result: "ok")
            .Say("second step").Pause(TimeSpan.FromMinutes(5)));
        await using var stream = await sim.StreamAsync(Send("go", "22222222-2222-4333-8444-555555555555"));
        var runId = (await stream.ReadEventAsync())!.Str("run_id")!;
        await stream.ReadUntilAsync(e => e.MessageType == "assistant_message");

        var duringFirstStep = await ListAsync(sim, $"/v1/runs/{runId}/messages");

        using (await sim.PostAsync($"/v1/agents/{SimTest.AgentId}/messages/cancel", null))
        {
            await stream.ReadToEndAsync();
        }

        Assert.IsTrue(sim.Sim.Runs.TryGet(runId, out var run));
        await run.Completion.WaitAsync(SimTest.Timeout);
        var afterCancel = await ListAsync(sim, $"/v1/runs/{runId}/messages");

        Assert.IsEmpty(duringFirstStep, "nothing is stored before the first step ends, not even the user message");
        Assert.AreEqual("user_message,assistant_message", Types(afterCancel), "the unfinished step is stored when the run ends");
        Assert.AreEqual("first step", Field(afterCancel[1], "content"));
    }

    [TestMethod]
    public async Task A_finished_step_is_readable_while_the_next_one_runs()
    {
        await using var sim = await SimTest.StartAsync(o => o.PaceMultiplier = 1);
        sim.AddAgent(_ => AgentScript.Create().ToolCall("look", "{}", result: "ok").Say("still going").Pause(TimeSpan.FromMinutes(5)));
        await using var stream = await sim.StreamAsync(Send("go", "33333333-2222-4333-8444-555555555555"));
        var runId = (await stream.ReadEventAsync())!.Str("run_id")!;

        // The second step's first token comes after the first step was stored (one run, one task).
        await stream.ReadUntilAsync(e => e.MessageType == "assistant_message");
        var stored = await ListAsync(sim, $"/v1/runs/{runId}/messages");
        using var cancel = await sim.PostAsync($"/v1/agents/{SimTest.AgentId}/messages/cancel", null);

        Assert.AreEqual("user_message,tool_call_message,tool_return_message", Types(stored));
    }

    [TestMethod]
    public async Task Agent_history_pages_like_Lettas_recall_newest_first_selection_oldest_first_order()
    {
        await using var sim = await SimTest.StartAsync();
        sim.AddAgent(_ => AgentScript.Create().Reasoning("hmm").Say("answer"));
        for (var i = 1; i <= 3; i++)
        {
            await sim.StreamToEndAsync(Send($"question {i}", $"0000000{i}-2222-4333-8444-555555555555"));
        }

        var all = await ListAsync(sim, $"/v1/agents/{SimTest.AgentId}/messages");
        var newestTwo = await ListAsync(sim, $"/v1/agents/{SimTest.AgentId}/messages?limit=2");
        var oldestTwo = await ListAsync(sim, $"/v1/agents/{SimTest.AgentId}/messages?limit=2&order=asc");
        var secondUser = all.Where(m => Field(m, "message_type") == "user_message").ElementAt(1);
        var before = await ListAsync(sim, $"/v1/agents/{SimTest.AgentId}/messages?before={Field(secondUser, "id")}");
        var after = await ListAsync(sim, $"/v1/agents/{SimTest.AgentId}/messages/?after={Field(secondUser, "id")}&limit=1&order=asc");
        var onlyUsers = await ListAsync(sim, $"/v1/agents/{SimTest.AgentId}/messages?include_return_message_types=user_message");

        Assert.AreEqual("user_message,reasoning_message,assistant_message,user_message,reasoning_message,assistant_message,user_message,reasoning_message,assistant_message", Types(all), "oldest first even for desc");
        Assert.AreEqual("user_message,reasoning_message,assistant_message", Types(newestTwo), "limit counts stored messages: the reasoning and its answer share an id");
        Assert.AreEqual("question 3", Field(newestTwo[0], "content"));
        Assert.AreEqual("question 1", Field(oldestTwo[0], "content"));
        Assert.AreEqual(Field(oldestTwo[1], "id"), Field(oldestTwo[2], "id"));
        Assert.AreEqual("user_message,reasoning_message,assistant_message", Types(before));
        Assert.AreEqual("question 1", Field(before[0], "content"));
        Assert.AreEqual("reasoning_message,assistant_message", Types(after));
        Assert.AreEqual(3, onlyUsers.Length);

        using var unknownCursor = await sim.Client.GetAsync($"/v1/agents/{SimTest.AgentId}/messages?after=message-99999999-9999-4999-8999-999999999999").WaitAsync(SimTest.Timeout);
        using var unknownAgent = await sim.Client.GetAsync("/v1/agents/agent-99999999-9999-4999-8999-999999999999/messages").WaitAsync(SimTest.Timeout);
        using var badOrder = await sim.Client.GetAsync($"/v1/agents/{SimTest.AgentId}/messages?order=up").WaitAsync(SimTest.Timeout);
        Assert.AreEqual(HttpStatusCode.NotFound, unknownCursor.StatusCode);
        StringAssert.StartsWith(await unknownCursor.Content.ReadAsStringAsync(), "{\"detail\":\"No message found with id 'message-99999999");
        Assert.AreEqual(HttpStatusCode.NotFound, unknownAgent.StatusCode);
        Assert.AreEqual(HttpStatusCode.UnprocessableEntity, badOrder.StatusCode);
    }

    [TestMethod]
    public async Task Conversation_history_is_its_own_newest_first_and_the_agent_route_can_filter_by_conversation()
    {
        await using var sim = await SimTest.StartAsync();
        sim.AddAgent(_ => AgentScript.Create().Say("answer"));
        var conversation = sim.Sim.Conversations.Create(SimTest.AgentId);
        var other = sim.Sim.Conversations.Create(SimTest.AgentId);
        foreach (var (path, text) in new[]
        {
            ($"/v1/conversations/{conversation}/messages", "in the conversation 1"),
            ($"/v1/conversations/{other}/messages", "elsewhere"),
            ($"/v1/conversations/{conversation}/messages", "in the conversation 2"),
            ($"/v1/agents/{SimTest.AgentId}/messages", "direct"),
        })
        {
            using var response = await sim.PostAsync(path, Send(text, Guid.NewGuid().ToString()));
            await response.Content.ReadAsStringAsync().WaitAsync(SimTest.Timeout);
        }

        var desc = await ListAsync(sim, $"/v1/conversations/{conversation}/messages");
        var asc = await ListAsync(sim, $"/v1/conversations/{conversation}/messages/?order=asc");
        var page = await ListAsync(sim, $"/v1/conversations/{conversation}/messages?order=asc&limit=1&after={Field(asc[0], "id")}");
        var ignoredCursor = await ListAsync(sim, $"/v1/conversations/{conversation}/messages?after=message-99999999-9999-4999-8999-999999999999");
        var unknown = await ListAsync(sim, "/v1/conversations/conv-99999999-9999-4999-8999-999999999999/messages");
        var agentDirect = await ListAsync(sim, $"/v1/conversations/default/messages?agent_id={SimTest.AgentId}");
        var defaultOnly = await ListAsync(sim, $"/v1/agents/{SimTest.AgentId}/messages?conversation_id=default");
        var byConversation = await ListAsync(sim, $"/v1/agents/{SimTest.AgentId}/messages?conversation_id={other}");

        Assert.AreEqual("assistant_message,user_message,assistant_message,user_message", Types(desc));
        Assert.AreEqual("in the conversation 2", Field(desc[1], "content"));
        Assert.AreEqual("in the conversation 1", Field(asc[0], "content"));
        Assert.AreEqual("assistant_message", Types(page));
        Assert.AreEqual(Field(asc[1], "id"), Field(page[0], "id"));
        Assert.HasCount(4, ignoredCursor, "Letta ignores a conversation cursor it cannot find");
        Assert.IsEmpty(unknown, "an unknown conversation has no messages (Letta answers [] there)");
        Assert.HasCount(8, agentDirect, "default + agent_id: the agent's whole history");
        Assert.AreEqual("direct", Field(defaultOnly[0], "content"));
        Assert.HasCount(2, defaultOnly);
        Assert.AreEqual("elsewhere", Field(byConversation[0], "content"));
        Assert.IsTrue(desc.All(m => sim.Sim.History.ForConversation(conversation).Any(h => h.Json == m.GetRawText())));
    }

    [TestMethod]
    public async Task Run_history_is_oldest_first_or_exactly_reversed_and_unknown_runs_are_404()
    {
        await using var sim = await SimTest.StartAsync();
        sim.AddAgent(_ => AgentScript.Create().Reasoning("hmm").Say("answer"));
        var runId = (await sim.StreamToEndAsync(Send("hello", Guid.NewGuid().ToString())))[0].Str("run_id")!;

        var asc = await ListAsync(sim, $"/v1/runs/{runId}/messages");
        var desc = await ListAsync(sim, $"/v1/runs/{runId}/messages?order=desc");
        using var missing = await sim.Client.GetAsync("/v1/runs/run-99999999-9999-4999-8999-999999999999/messages").WaitAsync(SimTest.Timeout);

        Assert.AreEqual("user_message,reasoning_message,assistant_message", Types(asc));
        Assert.AreEqual("assistant_message,reasoning_message,user_message", Types(desc));
        Assert.AreEqual(HttpStatusCode.NotFound, missing.StatusCode);
        Assert.AreEqual("{\"detail\":\"Run with id run-99999999-9999-4999-8999-999999999999 not found\"}", await missing.Content.ReadAsStringAsync());
    }

    [TestMethod]
    public async Task Input_sugar_parts_and_approvals_are_stored_as_Letta_shows_them()
    {
        await using var sim = await SimTest.StartAsync();
        var approver = DemoAgents.ApproverId;
        using (var sent = await sim.PostAsync($"/v1/agents/{approver}/messages", "{\"input\":\"delete /tmp/a.txt\"}"))
        {
            Assert.AreEqual(HttpStatusCode.OK, sent.StatusCode);
        }

        var request = (await ListAsync(sim, $"/v1/agents/{approver}/messages")).ToList();
        var callId = request.Single(m => Field(m, "message_type") == "approval_request_message").GetProperty("tool_call").GetProperty("tool_call_id").GetString();
        var answer = "{\"messages\":[{\"type\":\"approval\",\"approvals\":[{\"type\":\"approval\",\"tool_call_id\":\"" + callId + "\",\"approve\":false,\"reason\":\"keep it\"}]},"
            + "{\"role\":\"user\",\"content\":[{\"type\":\"text\",\"text\":\"never mind\"}]}]}";
        using (var sent = await sim.PostAsync($"/v1/agents/{approver}/messages", answer))
        {
            Assert.AreEqual(HttpStatusCode.OK, sent.StatusCode);
        }

        var all = await ListAsync(sim, $"/v1/agents/{approver}/messages");

        Assert.AreEqual("user_message,approval_request_message,approval_response_message,user_message,assistant_message", Types(all));
        Assert.AreEqual("delete /tmp/a.txt", Field(all[0], "content"));
        Assert.IsTrue(Guid.TryParse(Field(all[0], "otid"), out _), "input without an otid gets one from the server");
        var response = all[2];
        Assert.AreEqual(callId, Field(response, "approval_request_id"));
        Assert.IsFalse(response.GetProperty("approve").GetBoolean());
        Assert.AreEqual("keep it", response.GetProperty("approvals")[0].GetProperty("reason").GetString());
        Assert.AreEqual("never mind", Field(all[3], "content"), "a lone text part is stored as a string");
    }

    [TestMethod]
    public async Task History_keeps_the_newest_messages_up_to_its_limit()
    {
        await using var sim = await SimTest.StartAsync(o => o.MaxRetainedMessages = 8);
        sim.AddAgent(_ => AgentScript.Create().Say("answer"));
        for (var i = 0; i < 10; i++)
        {
            await sim.StreamToEndAsync(Send($"question {i}", Guid.NewGuid().ToString()));
        }

        var kept = sim.Sim.History.All;
        Assert.IsLessThanOrEqualTo(8 + 1, kept.Count, "at most an eighth over the limit between trims");
        Assert.IsGreaterThanOrEqualTo(8, kept.Count);
        Assert.AreEqual("answer", JsonDocument.Parse(kept[^1].Json).RootElement.GetProperty("content").GetString());
        Assert.IsTrue(kept.Zip(kept.Skip(1)).All(p => p.First.Sequence < p.Second.Sequence), "in order");
        StringAssert.Contains(kept[^2].Json, "question 9");
    }
}
