using Microsoft.Extensions.Time.Testing;
using System.Net;
using System.Text.Json;
using LettaSockets.Simulator.Tests.TestSupport;

namespace LettaSockets.Simulator.Tests.Runs;

[TestClass]
public sealed class BackgroundRunTests
{
    private const string Text = "one two three four five six seven eight nine ten";

    [TestMethod]
    public async Task Seq_ids_start_at_one_and_count_every_chunk()
    {
        await using var sim = await SimTest.StartAsync();
        sim.AddAgent(_ => AgentScript.Create().Say(Text));

        var events = await sim.StreamToEndAsync(SimTest.Body("hi", background: true));

        var withSeq = events.Where(e => e.MessageType is "ping" or "assistant_message").ToList();
        CollectionAssert.AreEqual(Enumerable.Range(1, withSeq.Count).ToArray(), withSeq.Select(e => e.Json.GetProperty("seq_id").GetInt32()).ToArray());
        Assert.AreEqual("ping", withSeq[0].MessageType);
        Assert.IsFalse(events[^3].Json.TryGetProperty("seq_id", out _), "stop_reason has no seq_id field");
        Assert.IsTrue(events[^1].IsDone);
        var run = sim.Sim.Runs.All.Single();
        Assert.IsTrue(run.Background);
        Assert.HasCount(withSeq.Count + 3, run.Chunks, "stop_reason, usage and [DONE] are stored too");
        Assert.AreEqual(Text, events.Concat("assistant_message", "content"));
    }

    [TestMethod]
    public async Task Reattach_replays_after_the_cursor_without_duplicates()
    {
        await using var sim = await SimTest.StartAsync();
        sim.AddAgent(_ => AgentScript.Create().Say(Text));
        var first = await sim.StreamToEndAsync(SimTest.Body("hi", background: true));
        var runId = first[0].Str("run_id");

        await using var resumed = await OpenRunStreamAsync(sim, runId!, "{\"starting_after\":4}");
        var replay = await resumed.ReadToEndAsync();

        var seqs = replay.Where(e => e.MessageType == "assistant_message").Select(e => e.Json.GetProperty("seq_id").GetInt32()).ToList();
        Assert.AreEqual(5, seqs[0]);
        CollectionAssert.AreEqual(seqs.Distinct().Order().ToList(), seqs);
        Assert.IsTrue(replay[^1].IsDone);
        var early = first.Where(e => e.MessageType == "assistant_message" && e.Json.GetProperty("seq_id").GetInt32() <= 4).Concat("assistant_message", "content");
        Assert.AreEqual(Text, early + replay.Concat("assistant_message", "content"));
    }

    [TestMethod]
    public async Task Reattach_tails_a_live_run_and_keepalives_carry_the_last_seq_id()
    {
        await using var sim = await SimTest.StartAsync(o =>
        {
            o.PaceMultiplier = 1;
            o.KeepAliveInterval = TimeSpan.FromMilliseconds(60);
        });
        sim.AddAgent(_ => AgentScript.Create().Say("alpha beta").Pause(TimeSpan.FromMilliseconds(400)).Say(" gamma delta"));
        var original = await sim.StreamAsync(SimTest.Body("hi", background: true));
        var seen = await original.ReadUntilAsync(e => e.MessageType == "assistant_message");
        await original.DisposeAsync();
        var last = seen[^1].Json.GetProperty("seq_id").GetInt32();

        await using var resumed = await OpenRunStreamAsync(sim, seen[0].Str("run_id")!, $"{{\"starting_after\":{last},\"include_pings\":true}}");
        var rest = await resumed.ReadToEndAsync();

        Assert.AreEqual("alpha beta gamma delta", seen.Concat("assistant_message", "content") + rest.Concat("assistant_message", "content"));
        var pings = 0;
        long? lastSeen = null;
        foreach (var e in rest)
        {
            if (e.MessageType == "ping")
            {
                pings++;
                Assert.AreEqual(lastSeen, e.Json.GetProperty("seq_id").GetInt64(), "a keepalive repeats the last seq_id sent");
            }
            else if (!e.IsDone && e.Json.TryGetProperty("seq_id", out var seq) && seq.ValueKind == JsonValueKind.Number)
            {
                lastSeen = seq.GetInt64();
            }
        }

        Assert.IsGreaterThan(0, pings, rest.Types());
        Assert.IsTrue(rest[^1].IsDone);
    }

    [TestMethod]
    public async Task Reattach_errors_are_404_400_410_and_500_for_a_missing_body()
    {
        // Moves on by itself (a little per reading) so the runs' own timers fire; jumped ahead below.
        var time = new FakeTimeProvider(DateTimeOffset.UtcNow) { AutoAdvanceAmount = TimeSpan.FromMilliseconds(1) };
        await using var sim = await SimTest.StartAsync(time: time);
        sim.AddAgent(_ => AgentScript.Create().Say("x"));
        var foreground = (await sim.StreamToEndAsync(SimTest.Body("hi")))[0].Str("run_id");
        var background = (await sim.StreamToEndAsync(SimTest.Body("hi", background: true)))[0].Str("run_id");
        const string Unknown = "run-99999999-9999-4999-8999-999999999999";

        var notFound = await PostAsync(sim, $"/v1/runs/{Unknown}/stream", "{}");
        var notBackground = await PostAsync(sim, $"/v1/runs/{foreground}/stream", "{}");
        var noBody = await PostAsync(sim, $"/v1/runs/{background}/stream", null);
        time.Advance(TimeSpan.FromHours(4));
        var expired = await PostAsync(sim, $"/v1/runs/{background}/stream", "{}");

        Assert.AreEqual((HttpStatusCode.NotFound, $"{{\"detail\":\"Run with id {Unknown} not found\"}}"), notFound);
        Assert.AreEqual(HttpStatusCode.BadRequest, notBackground.Status);
        StringAssert.StartsWith(notBackground.Body, "{\"detail\":\"INVALID_ARGUMENT:");
        Assert.AreEqual(HttpStatusCode.InternalServerError, noBody.Status);
        Assert.AreEqual((HttpStatusCode.Gone, "{\"detail\":\"EXPIRED: Run was created more than 3 hours ago, and is now expired.\"}"), expired);
    }

    [TestMethod]
    public async Task Background_error_ends_at_the_error_chunk_without_done()
    {
        await using var sim = await SimTest.StartAsync();
        sim.AddAgent(_ => AgentScript.Create().Say("hello there"));
        sim.Sim.Faults.Enqueue(SimFault.ErrorBeforeMessages(afterEvents: 1));

        var events = await sim.StreamToEndAsync(SimTest.Body("hi", background: true));

        Assert.AreEqual("ping,stop_reason,error_message", events.Types());
        Assert.AreEqual("error", events[^1].EventName);
        Assert.AreEqual(3, events[^1].Json.GetProperty("seq_id").GetInt32());
        Assert.AreEqual(RunChunkKind.Done, sim.Sim.Runs.All.Single().Chunks[^1].Kind, "the store has [DONE]; the reader stops before it");
    }

    [TestMethod]
    public async Task Cancelled_background_run_stores_the_spaced_stop_reason_and_done()
    {
        await using var sim = await SimTest.StartAsync(o => o.PaceMultiplier = 1);
        sim.AddAgent(_ => AgentScript.Create().Say(string.Join(" ", Enumerable.Range(1, 300))).WithTokenDelay(TimeSpan.FromMilliseconds(10)));
        await using var stream = await sim.StreamAsync(SimTest.Body("hi", background: true));
        var seen = await stream.ReadUntilAsync(e => e.MessageType == "assistant_message");

        using var cancel = await sim.PostAsync($"/v1/agents/{SimTest.AgentId}/messages/cancel", "{}");
        var rest = await stream.ReadToEndAsync();

        Assert.AreEqual(HttpStatusCode.OK, cancel.StatusCode);
        Assert.AreEqual("{\"message_type\": \"stop_reason\", \"stop_reason\": \"cancelled\"}", rest[^2].Data);
        Assert.IsTrue(rest[^1].IsDone);
        Assert.AreEqual(SimRunStatus.Cancelled, sim.Sim.Runs.All.Single().Status);
        Assert.IsNotNull(seen);
    }

    [TestMethod]
    public async Task Runs_are_listed_newest_first_and_active_filtered()
    {
        await using var sim = await SimTest.StartAsync(o => o.PaceMultiplier = 1);
        sim.AddAgent(request => request.UserText == "slow"
            ? AgentScript.Create().Say("x").Pause(TimeSpan.FromSeconds(30))
            : AgentScript.Create().Say("y"));
        var done = (await sim.StreamToEndAsync(SimTest.Body("fast")))[0].Str("run_id");
        await using var first = await sim.StreamAsync(SimTest.Body("slow", background: true));
        await using var second = await sim.StreamAsync(SimTest.Body("slow", background: true));
        var firstId = (await first.ReadEventAsync())!.Str("run_id");
        var secondId = (await second.ReadEventAsync())!.Str("run_id");

        var active = JsonDocument.Parse(await sim.GetStringAsync($"/v1/runs/?agent_id={SimTest.AgentId}&active=true")).RootElement;
        var all = JsonDocument.Parse(await sim.GetStringAsync($"/v1/runs?agent_id={SimTest.AgentId}")).RootElement;

        CollectionAssert.AreEqual(new[] { secondId, firstId }, active.EnumerateArray().Select(r => r.GetProperty("id").GetString()).ToArray());
        CollectionAssert.AreEqual(new[] { secondId, firstId, done }, all.EnumerateArray().Select(r => r.GetProperty("id").GetString()).ToArray());
        var run = active[0];
        CollectionAssert.AreEqual(
            new[] { "id", "status", "created_at", "completed_at", "agent_id", "conversation_id", "base_template_id", "background",
                "metadata", "request_config", "stop_reason", "callback_url", "callback_sent_at", "callback_status_code",
                "callback_error", "ttft_ns", "total_duration_ns" },
            run.EnumerateObject().Select(p => p.Name).ToArray());
        Assert.AreEqual("running", run.GetProperty("status").GetString());
        Assert.IsTrue(run.GetProperty("background").GetBoolean());
    }

    private static async Task<SseStream> OpenRunStreamAsync(SimTest sim, string runId, string body)
    {
        var response = await sim.PostAsync($"/v1/runs/{runId}/stream", body);
        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        return new SseStream(response, await response.Content.ReadAsStreamAsync().WaitAsync(SimTest.Timeout));
    }

    private static async Task<(HttpStatusCode Status, string Body)> PostAsync(SimTest sim, string path, string? body)
    {
        using var response = await sim.PostAsync(path, body);
        return (response.StatusCode, await response.Content.ReadAsStringAsync().WaitAsync(SimTest.Timeout));
    }
}
