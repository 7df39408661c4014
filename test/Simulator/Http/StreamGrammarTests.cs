using System.Text.Json;
using System.Text.RegularExpressions;
using LettaSockets.Simulator.Tests.TestSupport;

namespace LettaSockets.Simulator.Tests.Http;

[TestClass]
public sealed partial class StreamGrammarTests
{
    private static readonly string[] s_envelope =
        ["id", "date", "name", "message_type", "otid", "sender_id", "step_id", "is_err", "seq_id", "run_id"];

    [TestMethod]
    public async Task First_event_is_the_initial_ping_with_the_run_id()
    {
        await using var sim = await SimTest.StartAsync();
        sim.AddAgent(_ => AgentScript.Create().Say("Hello world"));

        var events = await sim.StreamToEndAsync(SimTest.Body("hi"));

        var runId = sim.Sim.Journal.Messages.Single().RunId;
        Assert.AreEqual("ping", events[0].MessageType);
        Assert.AreEqual(runId, events[0].Str("run_id"));
        StringAssert.StartsWith(events[0].Str("id"), "ping-");
        Assert.AreEqual(JsonValueKind.Null, events[0].Json.GetProperty("seq_id").ValueKind);
    }

    [TestMethod]
    public async Task Every_message_has_the_envelope_keys_in_order_and_a_second_precision_date()
    {
        await using var sim = await SimTest.StartAsync();
        sim.AddAgent(_ => AgentScript.Create()
            .Reasoning("Thinking.").HiddenReasoning().Say("Hello world").ToolCall("roll_dice", "{\"num_sides\": 6}", result: "4").Say("Done."));

        foreach (var tokens in new[] { true, false })
        {
            var events = await sim.StreamToEndAsync(SimTest.Body("hi", tokens));
            var messages = events.Where(e => e.MessageType is not (null or "stop_reason" or "usage_statistics")).ToList();
            Assert.IsGreaterThan(5, messages.Count);
            foreach (var message in messages)
            {
                var names = message.Json.EnumerateObject().Select(p => p.Name).Take(s_envelope.Length).ToArray();
                CollectionAssert.AreEqual(s_envelope, names, message.ToString());
                StringAssert.Matches(message.Str("date"), DatePattern());
                Assert.AreEqual(JsonValueKind.Null, message.Json.GetProperty("sender_id").ValueKind);
                Assert.AreEqual(JsonValueKind.Null, message.Json.GetProperty("is_err").ValueKind);
            }
        }
    }

    [TestMethod]
    public async Task Normal_stream_ends_with_stop_reason_usage_and_done()
    {
        await using var sim = await SimTest.StartAsync();
        sim.AddAgent(_ => AgentScript.Create().Say("Hello world"));

        var events = await sim.StreamToEndAsync(SimTest.Body("hi"));

        Assert.AreEqual("ping,assistant_message,assistant_message,stop_reason,usage_statistics,[DONE]", events.Types());
        Assert.AreEqual("{\"message_type\":\"stop_reason\",\"stop_reason\":\"end_turn\"}", events[^3].Data);
        var usage = events[^2].Json;
        Assert.AreEqual(1, usage.GetProperty("step_count").GetInt32());
        Assert.AreEqual(
            usage.GetProperty("prompt_tokens").GetInt32() + usage.GetProperty("completion_tokens").GetInt32(),
            usage.GetProperty("total_tokens").GetInt32());
        Assert.AreEqual("data: [DONE]", events[^1].Lines.Single());
    }

    [TestMethod]
    public async Task Without_pings_there_is_no_ping_at_all()
    {
        await using var sim = await SimTest.StartAsync(o =>
        {
            o.PaceMultiplier = 1;
            o.KeepAliveInterval = TimeSpan.FromMilliseconds(50);
        });
        sim.AddAgent(_ => AgentScript.Create().Say("a").Pause(TimeSpan.FromMilliseconds(300)).Say(" b"));

        var events = await sim.StreamToEndAsync(SimTest.Body("hi", pings: false));

        Assert.AreEqual("assistant_message,assistant_message,stop_reason,usage_statistics,[DONE]", events.Types());
    }

    [TestMethod]
    public async Task Keepalive_pings_fill_a_silent_pause()
    {
        await using var sim = await SimTest.StartAsync(o =>
        {
            o.PaceMultiplier = 1;
            o.KeepAliveInterval = TimeSpan.FromMilliseconds(80);
        });
        sim.AddAgent(_ => AgentScript.Create().Say("before").Pause(TimeSpan.FromMilliseconds(500)).Say(" after"));

        var events = await sim.StreamToEndAsync(SimTest.Body("hi"));

        var first = events.FindIndex(e => e.MessageType == "assistant_message");
        var last = events.FindLastIndex(e => e.MessageType == "assistant_message");
        var pings = events.Skip(first).Take(last - first).Where(e => e.MessageType == "ping").ToList();
        Assert.IsNotEmpty(pings, events.Types());
        var runId = events[0].Str("run_id");
        Assert.IsTrue(pings.All(p => p.Str("run_id") == runId && p.Json.GetProperty("seq_id").ValueKind == JsonValueKind.Null));
        Assert.AreEqual("before after", events.Concat("assistant_message", "content"));
    }

    [TestMethod]
    public async Task Deprecated_stream_route_always_streams_and_has_no_sdk_gate()
    {
        await using var sim = await SimTest.StartAsync();
        sim.AddAgent(_ => AgentScript.Create().Say("Hello"));
        var response = await sim.PostAsync(
            $"/v1/agents/{SimTest.AgentId}/messages/stream",
            "{\"input\":\"hi\"}",
            h => h.UserAgent.ParseAdd("MyGateway/1.0"));
        await using var stream = new SseStream(response, await response.Content.ReadAsStreamAsync());

        var events = await stream.ReadToEndAsync();

        Assert.AreEqual("ping,assistant_message,stop_reason,usage_statistics,[DONE]", events.Types());
        Assert.AreEqual("messages/stream", sim.Sim.Journal.Messages.Single().Route);
        Assert.IsTrue(sim.Sim.Journal.Messages.Single().Streaming);
    }

    [GeneratedRegex(@"^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}:\d{2}\+00:00$")]
    private static partial Regex DatePattern();
}
