using System.Net;
using System.Text.Json;
using System.Text.RegularExpressions;
using LettaSockets.Simulator.Tests.TestSupport;

namespace LettaSockets.Simulator.Tests.Http;

[TestClass]
public sealed partial class ConversationTests
{
    private const string Spaced = "{\"message_type\": \"stop_reason\", \"stop_reason\": \"cancelled\"}";

    private const string UnknownConversation = "conv-99999999-9999-4999-8999-999999999999";

    private static readonly string s_longText = string.Join(" ", Enumerable.Range(1, 400).Select(i => $"word{i}"));

    /// <summary>No <c>streaming</c> field: the conversation route streams by default (Letta's request body).</summary>
    private static string PlainBody(string text, string? agentId = null, bool background = false) =>
        "{\"messages\":[{\"role\":\"user\",\"content\":" + JsonSerializer.Serialize(text) + ",\"otid\":\"0b7f6c1e-2a43-4d5e-9f60-7a8b9c0d1e2f\"}]"
        + ",\"stream_tokens\":true"
        + (agentId is null ? "" : $",\"agent_id\":\"{agentId}\"")
        + (background ? ",\"background\":true" : "")
        + "}";

    [TestMethod]
    public async Task Create_answers_a_conversation_that_get_and_list_return()
    {
        await using var sim = await SimTest.StartAsync();
        sim.AddAgent(_ => AgentScript.Create().Say("x"));

        using var created = await sim.PostAsync($"/v1/conversations/?agent_id={SimTest.AgentId}", "{\"summary\":\"first\"}");
        var text = await Text(created);

        Assert.AreEqual(HttpStatusCode.OK, created.StatusCode, text);
        Assert.AreEqual("application/json", created.Content.Headers.ContentType?.MediaType);
        var conversation = JsonDocument.Parse(text).RootElement;
        var id = conversation.GetProperty("id").GetString()!;
        Assert.MatchesRegex(ConversationIdPattern(), id);
        Assert.AreEqual(SimTest.AgentId, conversation.GetProperty("agent_id").GetString());
        Assert.AreEqual("first", conversation.GetProperty("summary").GetString());
        Assert.MatchesRegex(DatePattern(), conversation.GetProperty("created_at").GetString()!);
        Assert.AreEqual(0, conversation.GetProperty("in_context_message_ids").GetArrayLength());
        Assert.AreEqual(text, await sim.GetStringAsync($"/v1/conversations/{id}"), "retrieve answers the same object");
        Assert.IsTrue(sim.Sim.Conversations.TryGet(id, out var stored));
        Assert.AreEqual(SimTest.AgentId, stored.AgentId);
    }

    [TestMethod]
    public async Task List_filters_by_agent_newest_first_and_honours_order_limit_and_after()
    {
        await using var sim = await SimTest.StartAsync();
        const string Other = "agent-22222222-3333-4444-8555-666666666666";
        sim.AddAgent(_ => AgentScript.Create().Say("x"));
        sim.AddAgent(_ => AgentScript.Create().Say("y"), Other);
        var first = sim.Sim.Conversations.Create(SimTest.AgentId);
        var second = sim.Sim.Conversations.Create(SimTest.AgentId);
        var third = sim.Sim.Conversations.Create(SimTest.AgentId);
        var others = sim.Sim.Conversations.Create(Other);

        var newestFirst = await ListIdsAsync(sim, $"?agent_id={SimTest.AgentId}");
        var oldestFirst = await ListIdsAsync(sim, $"?agent_id={SimTest.AgentId}&order=asc");
        var limited = await ListIdsAsync(sim, $"?agent_id={SimTest.AgentId}&limit=2");
        var afterCursor = await ListIdsAsync(sim, $"?agent_id={SimTest.AgentId}&after={third}");
        var everyone = await ListIdsAsync(sim, "");

        CollectionAssert.AreEqual(new[] { third, second, first }, newestFirst);
        CollectionAssert.AreEqual(new[] { first, second, third }, oldestFirst);
        CollectionAssert.AreEqual(new[] { third, second }, limited);
        CollectionAssert.AreEqual(new[] { second, first }, afterCursor);
        CollectionAssert.AreEquivalent(new[] { first, second, third, others }, everyone, "no agent_id lists every conversation");
        using var badOrder = await sim.Client.GetAsync("/v1/conversations?order=sideways").WaitAsync(SimTest.Timeout);
        Assert.AreEqual(HttpStatusCode.UnprocessableEntity, badOrder.StatusCode);
    }

    [TestMethod]
    public async Task Unknown_agents_and_conversations_get_Lettas_404s_and_bad_ids_422()
    {
        await using var sim = await SimTest.StartAsync();
        const string Missing = "agent-99999999-9999-4999-8999-999999999999";

        using var unknownAgent = await sim.PostAsync($"/v1/conversations?agent_id={Missing}", null);
        using var noAgent = await sim.PostAsync("/v1/conversations", "{}");
        using var unknown = await sim.Client.GetAsync($"/v1/conversations/{UnknownConversation}").WaitAsync(SimTest.Timeout);
        using var malformed = await sim.Client.GetAsync("/v1/conversations/conv-123").WaitAsync(SimTest.Timeout);

        Assert.AreEqual(HttpStatusCode.NotFound, unknownAgent.StatusCode);
        Assert.AreEqual($"{{\"detail\":\"Agent with ID {Missing} not found\"}}", await Text(unknownAgent));
        Assert.AreEqual(HttpStatusCode.UnprocessableEntity, noAgent.StatusCode);
        StringAssert.Contains(await Text(noAgent), "'loc': ('query', 'agent_id')");
        Assert.AreEqual(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.AreEqual($"{{\"detail\":\"Conversation not found with id={UnknownConversation}\"}}", await Text(unknown));
        Assert.AreEqual(HttpStatusCode.UnprocessableEntity, malformed.StatusCode);
        Assert.IsEmpty(sim.Sim.Conversations.All);
        Assert.ThrowsExactly<ArgumentException>(() => sim.Sim.Conversations.Create(Missing));
    }

    [TestMethod]
    public async Task A_send_streams_by_default_and_its_run_records_the_conversation()
    {
        await using var sim = await SimTest.StartAsync();
        sim.AddAgent(_ => AgentScript.Create().Say("Hello there"));
        var target = sim.Sim.Conversations.Create(SimTest.AgentId);
        var bystander = sim.Sim.Conversations.Create(SimTest.AgentId);

        List<SseEvent> events;
        await using (var stream = await OpenAsync(sim, $"/v1/conversations/{target}/messages", PlainBody("hi")))
        {
            events = await stream.ReadToEndAsync();
        }

        Assert.AreEqual("ping", events[0].MessageType);
        Assert.AreEqual("Hello there", events.Concat("assistant_message", "content"));
        Assert.AreEqual("stop_reason,usage_statistics,[DONE]", events.TakeLast(3).Types());
        var runId = events[0].Str("run_id")!;
        var run = JsonDocument.Parse(await sim.GetStringAsync($"/v1/runs/{runId}")).RootElement;
        Assert.AreEqual(target, run.GetProperty("conversation_id").GetString());
        Assert.AreEqual(SimTest.AgentId, run.GetProperty("agent_id").GetString());
        var listed = JsonDocument.Parse(await sim.GetStringAsync($"/v1/runs/?conversation_id={target}")).RootElement;
        Assert.AreEqual(runId, listed.EnumerateArray().Single().GetProperty("id").GetString());
        var record = sim.Sim.Journal.MessagesToConversation(target).Single();
        Assert.AreEqual(runId, record.RunId);
        Assert.AreEqual(SimTest.AgentId, record.AgentId);
        Assert.AreEqual("conversations/messages", record.Route);
        Assert.AreEqual("hi", record.UserText);
        Assert.IsTrue(record.Streaming, "streaming defaults to true on the conversation route");
        Assert.IsEmpty(sim.Sim.Journal.MessagesToConversation(bystander), "the other conversation received nothing");
        var conversation = JsonDocument.Parse(await sim.GetStringAsync($"/v1/conversations/{target}")).RootElement;
        Assert.AreEqual(JsonValueKind.String, conversation.GetProperty("last_message_at").ValueKind);
    }

    [TestMethod]
    public async Task Streaming_false_answers_json_and_an_agent_route_run_has_no_conversation()
    {
        await using var sim = await SimTest.StartAsync();
        sim.AddAgent(_ => AgentScript.Create().Say("Plain"));
        var conversation = sim.Sim.Conversations.Create(SimTest.AgentId);

        using var response = await sim.PostAsync($"/v1/conversations/{conversation}/messages", SimTest.Body("hi", tokens: false, streaming: false));
        var body = JsonDocument.Parse(await Text(response)).RootElement;
        var agentRoute = await sim.StreamToEndAsync(SimTest.Body("hi"));

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.AreEqual("end_turn", body.GetProperty("stop_reason").GetProperty("stop_reason").GetString());
        Assert.AreEqual(conversation, sim.Sim.Runs.All[0].ConversationId);
        var agentRun = JsonDocument.Parse(await sim.GetStringAsync($"/v1/runs/{agentRoute[0].Str("run_id")}")).RootElement;
        Assert.AreEqual(JsonValueKind.Null, agentRun.GetProperty("conversation_id").ValueKind);
        Assert.IsNull(sim.Sim.Journal.Messages[^1].ConversationId);
    }

    [TestMethod]
    public async Task A_second_send_while_a_run_holds_the_conversation_is_409_with_its_run_id()
    {
        await using var sim = await SimTest.StartAsync(o => o.PaceMultiplier = 1);
        sim.AddAgent(_ => AgentScript.Create().Say(s_longText).WithTokenDelay(TimeSpan.FromMilliseconds(10)));
        var busy = sim.Sim.Conversations.Create(SimTest.AgentId);
        var free = sim.Sim.Conversations.Create(SimTest.AgentId);
        await using var first = await OpenAsync(sim, $"/v1/conversations/{busy}/messages", PlainBody("one"));
        var holder = (await first.ReadEventAsync())!.Str("run_id")!;

        using var second = await sim.PostAsync($"/v1/conversations/{busy}/messages", PlainBody("two"));
        var secondBody = await Text(second);
        await using var other = await OpenAsync(sim, $"/v1/conversations/{free}/messages", PlainBody("elsewhere"));

        Assert.AreEqual(HttpStatusCode.Conflict, second.StatusCode);
        Assert.AreEqual("application/json", second.Content.Headers.ContentType?.MediaType);
        Assert.AreEqual(
            $"{{\"detail\":\"CONFLICT: Cannot send a new message: Another request (run_id={holder}) is currently being processed for this conversation. Please wait for it to complete.\",\"run_id\":\"{holder}\"}}",
            secondBody);
        var refused = sim.Sim.Journal.MessagesToConversation(busy)[^1];
        Assert.AreEqual(409, refused.StatusCode);
        Assert.IsNull(refused.RunId);
        Assert.AreEqual("two", refused.UserText);
        Assert.HasCount(1, sim.Sim.Runs.ListForConversation(busy), "the refused send started no run");
        Assert.AreEqual("ping", (await other.ReadEventAsync())?.MessageType, "the lock is per conversation");

        // Once the holder is no longer active (cancelled here), the conversation takes sends again.
        using var cancel = await sim.PostAsync($"/v1/conversations/{busy}/cancel", null);
        Assert.AreEqual(HttpStatusCode.OK, cancel.StatusCode);
        await using var third = await OpenAsync(sim, $"/v1/conversations/{busy}/messages", PlainBody("three"));
        Assert.AreNotEqual(holder, (await third.ReadEventAsync())!.Str("run_id"));
    }

    [TestMethod]
    public async Task Of_simultaneous_sends_to_one_conversation_exactly_one_gets_the_lock()
    {
        await using var sim = await SimTest.StartAsync(o => o.PaceMultiplier = 1);
        sim.AddAgent(_ => AgentScript.Create().Say(s_longText).WithTokenDelay(TimeSpan.FromMilliseconds(10)));
        var conversation = sim.Sim.Conversations.Create(SimTest.AgentId);

        var responses = await Task.WhenAll(Enumerable.Range(0, 6).Select(i =>
            sim.PostAsync($"/v1/conversations/{conversation}/messages", PlainBody($"send {i}"))));

        try
        {
            Assert.AreEqual(1, responses.Count(r => r.StatusCode == HttpStatusCode.OK), string.Join(",", responses.Select(r => (int)r.StatusCode)));
            Assert.AreEqual(5, responses.Count(r => r.StatusCode == HttpStatusCode.Conflict));
            var holder = sim.Sim.Runs.ListForConversation(conversation).Single().Id;
            foreach (var refused in responses.Where(r => r.StatusCode == HttpStatusCode.Conflict))
            {
                Assert.AreEqual(holder, JsonDocument.Parse(await Text(refused)).RootElement.GetProperty("run_id").GetString());
            }
        }
        finally
        {
            foreach (var response in responses)
            {
                response.Dispose();
            }
        }
    }

    [TestMethod]
    public async Task The_default_conversation_takes_agent_id_from_the_body_and_locks_per_agent()
    {
        await using var sim = await SimTest.StartAsync(o => o.PaceMultiplier = 1);
        sim.AddAgent(_ => AgentScript.Create().Say(s_longText).WithTokenDelay(TimeSpan.FromMilliseconds(10)));
        await using var first = await OpenAsync(sim, "/v1/conversations/default/messages", PlainBody("one", SimTest.AgentId));
        var holder = (await first.ReadEventAsync())!.Str("run_id")!;

        using var second = await sim.PostAsync("/v1/conversations/default/messages", PlainBody("two", SimTest.AgentId));
        using var withoutAgent = await sim.PostAsync("/v1/conversations/default/messages", PlainBody("three"));
        await using var agentRoute = await sim.StreamAsync(SimTest.Body("the agent route takes no lock"));

        Assert.AreEqual(HttpStatusCode.Conflict, second.StatusCode);
        Assert.AreEqual(holder, JsonDocument.Parse(await Text(second)).RootElement.GetProperty("run_id").GetString());
        Assert.AreEqual(HttpStatusCode.NotFound, withoutAgent.StatusCode);
        Assert.AreEqual("{\"detail\":\"Conversation not found with id=default\"}", await Text(withoutAgent));
        Assert.AreEqual("ping", (await agentRoute.ReadEventAsync())?.MessageType);
        Assert.IsTrue(sim.Sim.Runs.TryGet(holder, out var run));
        Assert.IsNull(run.ConversationId, "Letta stores no conversation id for a default-conversation run");
        var records = sim.Sim.Journal.MessagesToConversation("default");
        Assert.AreEqual("200,409,404", string.Join(",", records.Select(r => r.StatusCode)));
        Assert.AreEqual(SimTest.AgentId, records[0].AgentId);
    }

    [TestMethod]
    public async Task Sends_to_unknown_conversations_or_agents_are_404_and_journalled()
    {
        await using var sim = await SimTest.StartAsync();
        sim.AddAgent(_ => AgentScript.Create().Say("x"));
        const string Missing = "agent-99999999-9999-4999-8999-999999999999";

        using var unknown = await sim.PostAsync($"/v1/conversations/{UnknownConversation}/messages", PlainBody("hi"));
        using var unknownAgent = await sim.PostAsync("/v1/conversations/default/messages", PlainBody("hi", Missing));
        using var malformed = await sim.PostAsync("/v1/conversations/nope/messages", PlainBody("hi"));

        Assert.AreEqual(HttpStatusCode.NotFound, unknown.StatusCode);
        Assert.AreEqual($"{{\"detail\":\"Conversation not found with id={UnknownConversation}\"}}", await Text(unknown));
        Assert.AreEqual(HttpStatusCode.NotFound, unknownAgent.StatusCode);
        Assert.AreEqual($"{{\"detail\":\"Agent with ID {Missing} not found\"}}", await Text(unknownAgent));
        Assert.AreEqual(HttpStatusCode.UnprocessableEntity, malformed.StatusCode);
        Assert.AreEqual(404, sim.Sim.Journal.MessagesToConversation(UnknownConversation).Single().StatusCode);
        Assert.IsEmpty(sim.Sim.Runs.All);
    }

    [TestMethod]
    public async Task Cancel_stops_the_conversations_run_and_is_journalled()
    {
        await using var sim = await SimTest.StartAsync(o => o.PaceMultiplier = 1);
        sim.AddAgent(_ => AgentScript.Create().Say(s_longText).WithTokenDelay(TimeSpan.FromMilliseconds(10)));
        var conversation = sim.Sim.Conversations.Create(SimTest.AgentId);
        var idle = sim.Sim.Conversations.Create(SimTest.AgentId);
        await using var stream = await OpenAsync(sim, $"/v1/conversations/{conversation}/messages", PlainBody("hi"));
        var before = await stream.ReadUntilAsync(e => e.MessageType == "assistant_message");
        var runId = before[0].Str("run_id")!;

        using var nothingToCancel = await sim.PostAsync($"/v1/conversations/{idle}/cancel", null);
        using var cancel = await sim.PostAsync($"/v1/conversations/{conversation}/cancel", null);
        var rest = await stream.ReadToEndAsync();

        Assert.AreEqual(HttpStatusCode.Conflict, nothingToCancel.StatusCode);
        Assert.AreEqual($"{{\"detail\":\"CONFLICT: No active runs to cancel for conversation {idle}\"}}", await Text(nothingToCancel));
        Assert.AreEqual(HttpStatusCode.OK, cancel.StatusCode);
        Assert.AreEqual($"{{\"{runId}\":\"cancelled\"}}", await Text(cancel));
        Assert.AreEqual(Spaced, rest[^1].Data);
        var record = await sim.Sim.Journal.WaitForCancelAsync(runId).WaitAsync(SimTest.Timeout);
        Assert.AreEqual(conversation, record.ConversationId);
        Assert.AreEqual(SimTest.AgentId, record.AgentId);
        Assert.AreEqual(409, sim.Sim.Journal.CancelsOfConversation(idle).Single().StatusCode);
        Assert.IsTrue(sim.Sim.Runs.TryGet(runId, out var run));
        Assert.AreEqual(SimRunStatus.Cancelled, run.Status);
    }

    [TestMethod]
    public async Task Cancel_of_the_default_conversation_takes_agent_id_from_the_query()
    {
        await using var sim = await SimTest.StartAsync(o => o.PaceMultiplier = 1);
        sim.AddAgent(_ => AgentScript.Create().Say(s_longText).WithTokenDelay(TimeSpan.FromMilliseconds(10)));
        await using var stream = await OpenAsync(sim, "/v1/conversations/default/messages", PlainBody("hi", SimTest.AgentId));
        var runId = (await stream.ReadEventAsync())!.Str("run_id")!;

        using var cancel = await sim.PostAsync($"/v1/conversations/default/cancel?agent_id={SimTest.AgentId}", null);
        var rest = await stream.ReadToEndAsync();

        Assert.AreEqual($"{{\"{runId}\":\"cancelled\"}}", await Text(cancel));
        Assert.AreEqual(Spaced, rest[^1].Data);
        var record = sim.Sim.Journal.CancelsOfConversation("default").Single();
        Assert.AreEqual(SimTest.AgentId, record.AgentId);
        CollectionAssert.AreEqual(new[] { runId }, record.TargetRunIds.ToArray());
    }

    [TestMethod]
    public async Task Reattach_finds_the_newest_active_background_run_of_the_conversation()
    {
        await using var sim = await SimTest.StartAsync(o => o.PaceMultiplier = 1);
        sim.AddAgent(_ => AgentScript.Create().Say("alpha beta").Pause(TimeSpan.FromMilliseconds(400)).Say(" gamma delta"));
        var conversation = sim.Sim.Conversations.Create(SimTest.AgentId);
        var original = await OpenAsync(sim, $"/v1/conversations/{conversation}/messages", PlainBody("hi", background: true));
        var seen = await original.ReadUntilAsync(e => e.MessageType == "assistant_message");
        await original.DisposeAsync();
        var last = seen[^1].Json.GetProperty("seq_id").GetInt32();

        await using var resumed = await OpenAsync(sim, $"/v1/conversations/{conversation}/stream", $"{{\"starting_after\":{last}}}");
        var rest = await resumed.ReadToEndAsync();

        Assert.AreEqual("alpha beta gamma delta", seen.Concat("assistant_message", "content") + rest.Concat("assistant_message", "content"));
        Assert.AreEqual(seen[0].Str("run_id"), rest[0].Str("run_id"));
        Assert.IsGreaterThan(last, rest.First(e => e.MessageType == "assistant_message").Json.GetProperty("seq_id").GetInt32());
        Assert.IsTrue(rest[^1].IsDone);
    }

    [TestMethod]
    public async Task Reattach_by_run_id_replays_a_finished_run_and_refuses_what_it_cannot_stream()
    {
        await using var sim = await SimTest.StartAsync();
        sim.AddAgent(_ => AgentScript.Create().Say("one two three"));
        var conversation = sim.Sim.Conversations.Create(SimTest.AgentId);
        var foreground = sim.Sim.Conversations.Create(SimTest.AgentId);
        List<SseEvent> original;
        await using (var stream = await OpenAsync(sim, $"/v1/conversations/{conversation}/messages", PlainBody("hi", background: true)))
        {
            original = await stream.ReadToEndAsync();
        }

        await using (var drained = await OpenAsync(sim, $"/v1/conversations/{foreground}/messages", PlainBody("hi")))
        {
            await drained.ReadToEndAsync();
        }

        var runId = original[0].Str("run_id")!;
        await using var replay = await OpenAsync(sim, $"/v1/conversations/{conversation}/stream", $"{{\"run_id\":\"{runId}\",\"starting_after\":0}}");
        var replayed = await replay.ReadToEndAsync();
        using var nothingActive = await sim.PostAsync($"/v1/conversations/{conversation}/stream", "{}");
        var foregroundRun = sim.Sim.Runs.ListForConversation(foreground).Single().Id;
        using var notBackground = await sim.PostAsync($"/v1/conversations/{foreground}/stream", $"{{\"run_id\":\"{foregroundRun}\"}}");
        using var unknown = await sim.PostAsync($"/v1/conversations/{UnknownConversation}/stream", "{}");

        Assert.AreEqual(original.Concat("assistant_message", "content"), replayed.Concat("assistant_message", "content"));
        Assert.AreEqual(original.Count, replayed.Count, "the whole stored stream, pings included");
        Assert.AreEqual(HttpStatusCode.BadRequest, nothingActive.StatusCode);
        Assert.AreEqual("{\"detail\":\"INVALID_ARGUMENT: No active runs found for this conversation.\"}", await Text(nothingActive));
        Assert.AreEqual(HttpStatusCode.BadRequest, notBackground.StatusCode);
        Assert.AreEqual(
            "{\"detail\":\"INVALID_ARGUMENT: Run was not created in background mode, so it cannot be retrieved.\"}",
            await Text(notBackground));
        Assert.AreEqual(HttpStatusCode.NotFound, unknown.StatusCode);
    }

    private static async Task<SseStream> OpenAsync(SimTest sim, string path, string json)
    {
        var response = await sim.PostAsync(path, json);
        if (!response.IsSuccessStatusCode)
        {
            Assert.Fail($"Expected 200 from {path}, got {(int)response.StatusCode}: {await Text(response)}");
        }

        Assert.AreEqual("text/event-stream; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        return new SseStream(response, await response.Content.ReadAsStreamAsync().WaitAsync(SimTest.Timeout));
    }

    private static Task<string> Text(HttpResponseMessage response) =>
        response.Content.ReadAsStringAsync().WaitAsync(SimTest.Timeout);

    private static async Task<string[]> ListIdsAsync(SimTest sim, string query)
    {
        var list = JsonDocument.Parse(await sim.GetStringAsync("/v1/conversations" + query)).RootElement;
        return [.. list.EnumerateArray().Select(c => c.GetProperty("id").GetString()!)];
    }

    [GeneratedRegex("^conv-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$")]
    private static partial Regex ConversationIdPattern();

    [GeneratedRegex(@"^\d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+00:00$")]
    private static partial Regex DatePattern();
}
