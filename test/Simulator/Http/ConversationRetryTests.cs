using System.Net;
using System.Text.Json;
using LettaSockets.Simulator.Tests.TestSupport;

namespace LettaSockets.Simulator.Tests.Http;

[TestClass]
public sealed class ConversationRetryTests
{
    private static string Body(string otid, bool background) =>
        "{\"messages\":[{\"role\":\"user\",\"content\":\"hi\",\"otid\":\"" + otid + "\"}],\"stream_tokens\":true"
        + (background ? ",\"background\":true" : "") + "}";

    [TestMethod]
    public async Task A_locked_background_send_with_the_same_otids_reads_the_existing_run_instead_of_409()
    {
        await using var sim = await SimTest.StartAsync(o => o.PaceMultiplier = 1);
        sim.AddAgent(_ => AgentScript.Create().Say("working").Pause(TimeSpan.FromMinutes(5)));
        var conversation = sim.Sim.Conversations.Create(SimTest.AgentId);
        var path = $"/v1/conversations/{conversation}/messages";
        const string Otid = "44444444-2222-4333-8444-555555555555";

        using var first = await sim.PostAsync(path, Body(Otid, background: true));
        await using var firstStream = new SseStream(first, await first.Content.ReadAsStreamAsync());
        var runId = (await firstStream.ReadEventAsync())!.Str("run_id")!;
        await firstStream.ReadUntilAsync(e => e.MessageType == "assistant_message");

        using var retry = await sim.PostAsync(path, Body(Otid, background: true));
        await using var retryStream = new SseStream(retry, await retry.Content.ReadAsStreamAsync());
        var replayed = await retryStream.ReadUntilAsync(e => e.MessageType == "assistant_message");
        using var otherOtid = await sim.PostAsync(path, Body("55555555-2222-4333-8444-555555555555", background: true));
        using var foregroundRetry = await sim.PostAsync(path, Body(Otid, background: false));
        using var cancel = await sim.PostAsync($"/v1/conversations/{conversation}/cancel", null);

        Assert.AreEqual(HttpStatusCode.OK, retry.StatusCode);
        Assert.AreEqual(runId, replayed[0].Str("run_id"), "the retry streams the run it duplicates");
        Assert.AreEqual(1, replayed[0].Json.GetProperty("seq_id").GetInt32(), "from the start");
        Assert.AreEqual(HttpStatusCode.Conflict, otherOtid.StatusCode, "other otids: a new request, refused while busy");
        Assert.AreEqual(HttpStatusCode.Conflict, foregroundRetry.StatusCode, "only background sends recover (Letta needs the stored stream)");
        Assert.AreEqual(runId, JsonDocument.Parse(await foregroundRetry.Content.ReadAsStringAsync()).RootElement.GetProperty("run_id").GetString());
        Assert.HasCount(1, sim.Sim.Runs.All, "no second run");
        var recovered = sim.Sim.Journal.MessagesToConversation(conversation).Where(m => m.Recovered).ToList();
        Assert.HasCount(1, recovered);
        Assert.AreEqual(runId, recovered[0].RunId);
    }

    [TestMethod]
    public async Task The_agent_route_takes_no_lock_so_a_retry_there_starts_a_second_run()
    {
        await using var sim = await SimTest.StartAsync();
        sim.AddAgent(_ => AgentScript.Create().Say("x"));
        const string Otid = "66666666-2222-4333-8444-555555555555";

        var first = await sim.StreamToEndAsync(Body(Otid, background: true).Replace("{\"messages\"", "{\"streaming\":true,\"messages\"", StringComparison.Ordinal));
        var second = await sim.StreamToEndAsync(Body(Otid, background: true).Replace("{\"messages\"", "{\"streaming\":true,\"messages\"", StringComparison.Ordinal));

        Assert.AreNotEqual(first[0].Str("run_id"), second[0].Str("run_id"), "Letta takes no lock on the plain agent route: a retry creates a second run");
    }
}
