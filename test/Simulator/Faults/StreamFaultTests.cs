using System.Diagnostics;
using LettaSockets.Simulator.Tests.TestSupport;

namespace LettaSockets.Simulator.Tests.Faults;

[TestClass]
public sealed class StreamFaultTests
{
    private const string Text = "The quick brown fox jumps over the lazy dog";

    [TestMethod]
    public async Task Stall_sends_nothing_after_the_initial_ping()
    {
        await using var sim = await SimTest.StartAsync(o => o.KeepAliveInterval = TimeSpan.FromMilliseconds(50));
        sim.AddAgent(_ => AgentScript.Create().Say(Text));
        sim.Sim.Faults.Enqueue(SimFault.Stall(afterEvents: 1));
        await using var stream = await sim.StreamAsync(SimTest.Body("hi"));

        var ping = await stream.ReadEventAsync();

        Assert.AreEqual("ping", ping?.MessageType);
        // Bounded negative check: several keepalive intervals pass without a single byte.
        await Assert.ThrowsAsync<TimeoutException>(() => stream.ReadEventAsync(TimeSpan.FromMilliseconds(400)));
    }

    [TestMethod]
    public async Task Error_before_messages_is_stop_reason_error_event_then_done()
    {
        await using var sim = await SimTest.StartAsync();
        sim.AddAgent(_ => AgentScript.Create().Say(Text));
        sim.Sim.Faults.Enqueue(SimFault.ErrorBeforeMessages());

        var events = await sim.StreamToEndAsync(SimTest.Body("hi"));

        Assert.AreEqual("ping,stop_reason,error_message,[DONE]", events.Types());
        Assert.AreEqual("{\"message_type\":\"stop_reason\",\"stop_reason\":\"llm_api_error\"}", events[1].Data);
        Assert.AreEqual("error", events[2].EventName);
        Assert.AreEqual("llm_rate_limit", events[2].Str("error_type"));
        Assert.AreEqual(events[0].Str("run_id"), events[2].Str("run_id"));
        var run = sim.Sim.Runs.All.Single();
        await run.Completion.WaitAsync(SimTest.Timeout);
        Assert.AreEqual(SimRunStatus.Failed, run.Status);
        Assert.AreEqual("llm_api_error", run.StopReason);
    }

    [TestMethod]
    public async Task Error_after_messages_ends_without_done()
    {
        await using var sim = await SimTest.StartAsync();
        sim.AddAgent(_ => AgentScript.Create().Say(Text));
        sim.Sim.Faults.Enqueue(SimFault.ErrorAfterMessages(afterEvents: 3));

        var events = await sim.StreamToEndAsync(SimTest.Body("hi"));

        Assert.AreEqual("ping,assistant_message,assistant_message,stop_reason,error_message", events.Types());
        Assert.AreEqual("error", events[^2].Str("stop_reason"));
        Assert.AreEqual("internal_error", events[^1].Str("error_type"));
        Assert.AreEqual("An error occurred during agent execution.", events[^1].Str("message"));
    }

    [TestMethod]
    public async Task Legacy_error_is_a_nested_error_object_then_done()
    {
        await using var sim = await SimTest.StartAsync();
        sim.AddAgent(_ => AgentScript.Create().Say(Text));
        sim.Sim.Faults.Enqueue(SimFault.Legacy(afterEvents: 2));

        var events = await sim.StreamToEndAsync(SimTest.Body("hi"));

        Assert.AreEqual("ping,assistant_message,error,[DONE]", events.Types());
        StringAssert.StartsWith(events[2].Data, "{\"error\": {\"type\": \"llm_timeout\", \"message\": ");
    }

    [TestMethod]
    public async Task Transport_error_has_no_message_type_and_ends_the_body()
    {
        await using var sim = await SimTest.StartAsync();
        sim.AddAgent(_ => AgentScript.Create().Say(Text));
        sim.Sim.Faults.Enqueue(SimFault.Transport(afterEvents: 2) with { Message = "boom" });

        var events = await sim.StreamToEndAsync(SimTest.Body("hi"));

        Assert.AreEqual("ping,assistant_message,error", events.Types());
        Assert.AreEqual("{\"error\": \"boom\", \"code\": \"INTERNAL_SERVER_ERROR\"}", events[^1].Data);
    }

    [TestMethod]
    public async Task Slow_stream_delays_every_event()
    {
        await using var sim = await SimTest.StartAsync();
        sim.AddAgent(_ => AgentScript.Create().Say("a b c d"));
        sim.Sim.Faults.Enqueue(SimFault.Slow(TimeSpan.FromMilliseconds(40)));
        var started = Stopwatch.GetTimestamp();

        var events = await sim.StreamToEndAsync(SimTest.Body("hi"));

        Assert.HasCount(8, events);
        Assert.IsGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(8 * 35), Stopwatch.GetElapsedTime(started));
        Assert.AreEqual("a b c d", events.Concat("assistant_message", "content"));
    }

    [TestMethod]
    public async Task Cut_off_writes_half_an_event_and_aborts()
    {
        await using var sim = await SimTest.StartAsync();
        sim.AddAgent(_ => AgentScript.Create().Say(Text));
        sim.Sim.Faults.Enqueue(SimFault.CutOff(afterEvents: 2));
        using var response = await sim.PostAsync($"/v1/agents/{SimTest.AgentId}/messages", SimTest.Body("hi"));
        await using var body = await response.Content.ReadAsStreamAsync();
        var received = new MemoryStream();
        var buffer = new byte[4096];

        var failure = await Assert.ThrowsAsync<IOException>(async () =>
        {
            while (true)
            {
                var read = await body.ReadAsync(buffer).AsTask().WaitAsync(SimTest.Timeout);
                if (read == 0)
                {
                    return;
                }

                received.Write(buffer, 0, read);
            }
        });

        var text = System.Text.Encoding.UTF8.GetString(received.ToArray());
        var events = text.Split("\n\n");
        Assert.HasCount(3, events, text);
        StringAssert.Contains(events[0], "\"message_type\":\"ping\"");
        StringAssert.Contains(events[1], "\"message_type\":\"assistant_message\"");
        StringAssert.StartsWith(events[2], "data: {\"id\":\"message-");
        Assert.IsFalse(events[2].EndsWith('}'), "the third event is cut in half");
        Assert.IsNotNull(failure);
    }

    [TestMethod]
    public async Task Garbage_lines_sit_inside_an_otherwise_normal_stream()
    {
        await using var sim = await SimTest.StartAsync();
        sim.AddAgent(_ => AgentScript.Create().Say(Text));
        sim.Sim.Faults.Enqueue(SimFault.Garbage(afterEvents: 2));

        var events = await sim.StreamToEndAsync(SimTest.Body("hi"));

        var lines = events.SelectMany(e => e.Lines).ToList();
        Assert.Contains("data: not-json", lines);
        Assert.Contains(": a comment line", lines);
        Assert.Contains("event: sim-unknown", lines);
        Assert.Contains("x-sim-junk: ÿ not a field", lines);
        Assert.AreEqual(Text, events.Concat("assistant_message", "content"));
        Assert.IsTrue(events[^1].IsDone);
    }

    [TestMethod]
    public async Task Huge_event_is_one_two_mebibyte_delta()
    {
        await using var sim = await SimTest.StartAsync();
        sim.AddAgent(_ => AgentScript.Create().Say("small"));
        sim.Sim.Faults.Enqueue(SimFault.Huge());

        var events = await sim.StreamToEndAsync(SimTest.Body("hi"));

        var huge = events.Single(e => e.MessageType == "assistant_message" && e.Str("content")!.Length > 1000);
        Assert.AreEqual(SimFault.DefaultHugeSize, huge.Str("content")!.Length);
        Assert.AreEqual("small", events.Where(e => e != huge).Concat("assistant_message", "content"));
        Assert.IsTrue(events[^1].IsDone);
    }

    [TestMethod]
    public async Task Agent_behaviour_that_throws_becomes_an_in_stream_error()
    {
        await using var sim = await SimTest.StartAsync();
        sim.AddAgent(_ => throw new InvalidOperationException("no script for you"));

        var events = await sim.StreamToEndAsync(SimTest.Body("hi"));

        Assert.AreEqual("ping,stop_reason,error_message,[DONE]", events.Types());
        Assert.AreEqual("internal_error", events[2].Str("error_type"));
        Assert.AreEqual("no script for you", events[2].Str("message"));
    }
}
