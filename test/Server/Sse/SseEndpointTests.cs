using System.Net;
using System.Text;
using System.Text.Json;
using LettaSockets.Protocol.Json;
using LettaSockets.Simulator;

namespace LettaSockets.Server.Tests.Sse;

/// <summary><c>POST /stream</c>: the seed's SSE dialect (docs/PROTOCOL.md, "The tutorial's SSE dialect") on the shared turn pipeline.</summary>
[TestClass]
public sealed class SseEndpointTests
{
    private static TestGateway s_gateway = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext _) =>
        s_gateway = await TestGateway.StartAsync(new Dictionary<string, string?> { ["Letta:CircuitBreaker:Enabled"] = "false" });

    [ClassCleanup]
    public static async Task StopAsync() => await s_gateway.DisposeAsync();

    [TestMethod]
    public async Task The_stream_is_the_seed_dialect_byte_for_byte()
    {
        const string text = "He said \"hi\"\nthen: é — 😀 done";
        string agent = s_gateway.AddAgent(_ => AgentScript.Create().Say(text));
        await using SseCall call = await SseCall.PostAsync(s_gateway.BaseUri, agent, "hello");

        Assert.AreEqual(HttpStatusCode.OK, call.Response.StatusCode);
        Assert.AreEqual("text/event-stream", call.Response.Content.Headers.ContentType?.MediaType);
        Assert.AreEqual("no-cache", call.Response.Headers.CacheControl?.ToString());
        Assert.AreEqual("no", call.Response.Headers.GetValues("X-Accel-Buffering").Single());
        List<string> events = await call.ReadToEndAsync();

        string id = SseCall.Frame(events[0]).Id!;
        StringAssert.StartsWith(id, "c_");
        string runId = SseCall.Frame(events[1]).RunId!;
        // Frames are serialized when sent, so thinking names the run if Letta was quicker than the writer.
        string[] thinking =
        [
            $"data: {{\"type\":\"status\",\"id\":\"{id}\",\"agent_id\":\"{agent}\",\"status\":\"thinking\"}}\n\n",
            $"data: {{\"type\":\"status\",\"id\":\"{id}\",\"agent_id\":\"{agent}\",\"run_id\":\"{runId}\",\"status\":\"thinking\"}}\n\n",
        ];
        CollectionAssert.Contains(thinking, events[0]);
        Assert.AreEqual($"data: {{\"type\":\"status\",\"id\":\"{id}\",\"agent_id\":\"{agent}\",\"run_id\":\"{runId}\",\"status\":\"running\"}}\n\n", events[1]);

        List<string> content = events.Skip(2).SkipLast(1).ToList();
        Assert.IsTrue(content.Count > 3, "token deltas arrive one event each");
        var joined = new StringBuilder();
        foreach (string ev in content)
        {
            string delta = SseCall.Frame(ev).Content!;
            joined.Append(delta);
            Assert.AreEqual($"data: {{\"type\":\"content\",\"content\":{Json(delta)}}}\n\n", ev, "a content event has exactly the seed's two fields");
        }

        Assert.AreEqual(text, joined.ToString());
        CollectionAssert.Contains(content, "data: {\"type\":\"content\",\"content\":\" \\\"hi\\\"\"}\n\n", "quotes are JSON escapes");
        CollectionAssert.Contains(content, "data: {\"type\":\"content\",\"content\":\"\\nthen:\"}\n\n", "a line break is an escape, never a raw line break in data");
        CollectionAssert.Contains(content, "data: {\"type\":\"content\",\"content\":\" é\"}\n\n", "non-ASCII text goes as UTF-8");
        StringAssert.StartsWith(events[^1], $"data: {{\"type\":\"done\",\"id\":\"{id}\",\"agent_id\":\"{agent}\",\"run_id\":\"{runId}\",\"stop_reason\":\"end_turn\",");
        Assert.AreEqual(string.Concat(events), call.RawText, "nothing but data events, and the body ends after done");
    }

    [TestMethod]
    public async Task Reasoning_and_tools_arrive_as_the_websocket_frames_between_the_content()
    {
        string agent = s_gateway.AddAgent(_ => AgentScript.Create()
            .Reasoning("Let me roll.")
            .ToolCall("roll_dice", "{\"sides\":20}", "17", toolCallId: "call-1")
            .Say("You rolled 17."));
        await using SseCall call = await SseCall.PostAsync(s_gateway.BaseUri, agent, "roll");
        List<ServerFrame> frames = (await call.ReadToEndAsync()).Select(SseCall.Frame).ToList();

        List<string> types = frames.Select(f => f.Type).Distinct().ToList();
        CollectionAssert.IsSubsetOf(new[] { "status", "reasoning", "tool_call", "tool_result", "content", "done" }, types);
        Assert.AreEqual("Let me roll.", string.Concat(frames.Where(f => f.Type == "reasoning").Select(f => f.Content)));
        Assert.AreEqual("{\"sides\":20}", string.Concat(frames.Where(f => f.Type == "tool_call").Select(f => f.Arguments)));
        Assert.AreEqual("roll_dice", frames.First(f => f.Type == "tool_call").Name);
        Assert.AreEqual("17", frames.Single(f => f.Type == "tool_result").Result);
        Assert.AreEqual("You rolled 17.", string.Concat(frames.Where(f => f.Type == "content").Select(f => f.Content)));
        Assert.IsTrue(frames.FindIndex(f => f.Type == "tool_result") < frames.FindIndex(f => f.Type == "content"), "Letta's order is kept");
        Assert.AreEqual("done", frames[^1].Type);
    }

    [TestMethod]
    public async Task A_failing_turn_ends_with_the_seeds_error_event_carrying_message_and_code()
    {
        await using SseCall call = await SseCall.PostAsync(s_gateway.BaseUri, $"agent-{Guid.NewGuid()}", "hello");
        List<ServerFrame> frames = (await call.ReadToEndAsync()).Select(SseCall.Frame).ToList();

        ServerFrame error = frames[^1];
        Assert.AreEqual("error", error.Type);
        Assert.AreEqual("agent_not_found", error.Code);
        Assert.IsFalse(string.IsNullOrEmpty(error.Message), "the seed's clients show data.message");
        Assert.AreEqual(1, frames.Count(f => f.IsTerminal));
    }

    [TestMethod]
    public async Task Aborting_the_request_mid_stream_cancels_the_run_in_letta()
    {
        string agent = s_gateway.AddAgent(_ => AgentScript.Create()
            .Say("first words").Pause(TimeSpan.FromSeconds(60)).Say("never sent"));
        SseCall call = await SseCall.PostAsync(s_gateway.BaseUri, agent, "go");
        string? runId = null;
        while (await call.ReadEventAsync() is { } ev)
        {
            ServerFrame frame = SseCall.Frame(ev);
            runId ??= frame.RunId;
            if (frame.Type == "content")
            {
                break; // arrived while the run still goes on: nothing is buffered on the way
            }
        }

        Assert.IsNotNull(runId, "the running status names the run");
        call.Abort();
        await call.DisposeAsync();

        using var timeout = new CancellationTokenSource(TestClient.DefaultTimeout);
        CancelRecord record = await s_gateway.Simulator.Journal.WaitForCancelAsync(runId, timeout.Token);
        Assert.AreEqual(agent, record.AgentId);
        CollectionAssert.Contains(record.RunIds!.ToList(), runId);
    }

    [TestMethod]
    [DataRow("{\"agent_id\":\"agent-1\",", "bad_frame", DisplayName = "bad JSON")]
    [DataRow("[1,2]", "bad_frame", DisplayName = "not an object")]
    [DataRow("{\"agent_id\":\"agent-1\"}", "bad_frame", DisplayName = "no message")]
    [DataRow("{\"message\":\"hi\"}", "bad_frame", DisplayName = "no agent")]
    [DataRow("{\"agent_id\":5,\"message\":\"hi\"}", "bad_frame", DisplayName = "agent id not a string")]
    [DataRow("{\"agent_id\":\"../admin\",\"message\":\"hi\"}", "invalid_agent_id", DisplayName = "agent id with a path")]
    [DataRow("{\"agent_id\":\"agent-1\",\"message\":\"hi\",\"max_chars_per_second\":-3}", "bad_frame", DisplayName = "negative pace")]
    [DataRow("{\"agent_id\":\"agent-1\",\"message\":\"a\\u0000b\"}", "bad_frame", DisplayName = "NUL in the message (refused as on the WebSocket)")]
    [DataRow("{\"agent_id\":\"agent-1\",\"message\":\"hi\",\"conversation_id\":\"../x\"}", "bad_frame", DisplayName = "conversation id with a path")]
    public async Task Bad_requests_get_400_with_a_json_error(string body, string code)
    {
        using var http = new HttpClient { BaseAddress = s_gateway.BaseUri, Timeout = TestClient.DefaultTimeout };
        using HttpResponseMessage response = await http.PostAsync("/stream", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.AreEqual(HttpStatusCode.BadRequest, response.StatusCode);
        using JsonDocument json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.AreEqual(code, json.RootElement.GetProperty("error").GetProperty("code").GetString());
        Assert.IsFalse(string.IsNullOrEmpty(json.RootElement.GetProperty("error").GetProperty("message").GetString()));
    }

    [TestMethod]
    [DataRow(32_001, "content_too_large", DisplayName = "message over Sockets:MaxContentChars")]
    [DataRow(70_000, "frame_too_large", DisplayName = "body over Sockets:MaxFrameBytes")]
    public async Task Oversized_requests_get_413(int messageChars, string code)
    {
        using var http = new HttpClient { BaseAddress = s_gateway.BaseUri, Timeout = TestClient.DefaultTimeout };
        string body = JsonSerializer.Serialize(new { agent_id = "agent-1", message = new string('x', messageChars) });
        using HttpResponseMessage response = await http.PostAsync("/stream", new StringContent(body, Encoding.UTF8, "application/json"));

        Assert.AreEqual(HttpStatusCode.RequestEntityTooLarge, response.StatusCode);
        using JsonDocument json = JsonDocument.Parse(await response.Content.ReadAsStringAsync());
        Assert.AreEqual(code, json.RootElement.GetProperty("error").GetProperty("code").GetString());
    }

    [TestMethod]
    public async Task The_page_is_still_served_at_the_root()
    {
        using var http = new HttpClient { BaseAddress = s_gateway.BaseUri, Timeout = TestClient.DefaultTimeout };
        using HttpResponseMessage response = await http.GetAsync("/");

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.AreEqual("text/html", response.Content.Headers.ContentType?.MediaType);
    }

    private static string Json(string value) =>
        JsonSerializer.Serialize(value, new JsonSerializerOptions { Encoder = System.Text.Encodings.Web.JavaScriptEncoder.UnsafeRelaxedJsonEscaping });
}
