using System.Net;
using System.Text;
using System.Text.Json;
using CsCheck;
using LettaSockets.Protocol.Json;

namespace LettaSockets.Server.Tests.Reliability.Fuzz;

/// <summary>One generated <c>POST /stream</c> request: which agent, after how many events the client aborts (-1: never), and when it starts.</summary>
public sealed record StreamRequest(int Agent, int AbortAfterEvents, int StartDelayMs);

/// <summary>
/// Model-based fuzzing of <c>POST /stream</c>, for any <see cref="FuzzWorld"/>: generated groups of
/// concurrent requests (the same and different agents, one failing mid-stream) that clients abort at
/// random points. Each request that was not aborted ends with exactly one terminal event and nothing
/// after it; each aborted one whose run had started is stopped upstream; no <c>internal</c> error;
/// every turn and request is gone afterwards.
/// </summary>
public static class StreamFuzz
{
    /// <summary>How soon after a client left a run may end by itself instead of being cancelled.</summary>
    public static readonly TimeSpan EndedByItselfGrace = TimeSpan.FromMilliseconds(500);

    /// <summary>Plays generated groups of one to <paramref name="maxConcurrent"/> requests to agents 0 (slow), 1 and 2
    /// (failing) on <paramref name="world"/> for <paramref name="budget"/>; CsCheck shrinks a failing group and prints its seed.</summary>
    public static Task SampleAsync(FuzzWorld world, FuzzBudget budget, Action<string> log, int maxConcurrent = 6) =>
        budget.SampleAsync(
            Gen.Select(Gen.Int[0, 2], Gen.Frequency((2, Gen.Const(-1)), (3, Gen.Int[0, 6])), Gen.Int[0, 30],
                (agent, abort, delay) => new StreamRequest(agent, abort, delay)).Array[1, maxConcurrent],
            group => RunGroupAsync(world, group),
            log,
            group => string.Join("\n", group.Select(r => r.ToString())));

    private static async Task RunGroupAsync(FuzzWorld world, StreamRequest[] group)
    {
        Assert.IsTrue(await world.Gauges.WaitUntilAsync(g => g.Idle, TimeSpan.FromSeconds(30)), "the gateway is idle before the group");
        using var http = new HttpClient { BaseAddress = world.Gateway.BaseUri, Timeout = Timeout.InfiniteTimeSpan };
        Outcome[] outcomes = await Task.WhenAll(group.Select(r => RunOneAsync(world, http, r)));

        foreach ((StreamRequest r, Outcome o) in group.Zip(outcomes))
        {
            string events = string.Join("\n", o.Events);
            Assert.IsFalse(o.Events.Any(e => e.Type == "error" && e.Code == "internal"), $"no internal error: {r}\n{world.ErrorLog()}");
            if (!o.Aborted)
            {
                int[] terminals = Enumerable.Range(0, o.Events.Count).Where(i => o.Events[i].Type is "done" or "error").ToArray();
                Assert.AreEqual(1, terminals.Length, $"one terminal event: {r}\n{events}");
                Assert.AreEqual(o.Events.Count - 1, terminals[0], $"nothing after the terminal event: {r}");
                ServerFrame terminal = o.Events[^1];
                bool expected = terminal.Type == "done" || (r.Agent == 2 && world.FailureCodes.Contains(terminal.Code!)) || (terminal.Code == "busy" && world.OneTurnPerConversation);
                Assert.IsTrue(expected, $"a turn ends done, busy, or with a failure code for the failing agent: {r} -> {terminal.Code} {terminal.Message}");
                if (terminal.Code == "busy")
                {
                    Assert.IsTrue(group.Count(g => g.Agent == r.Agent) > 1, $"busy only while another request of the group holds the agent: {r}");
                }
            }
            else if (o.RunId is { } runId && !o.Events.Any(e => e.Type is "done" or "error"))
            {
                await world.CheckAbortedRunStoppedAsync(runId, o.AbortedAt, r.ToString());
            }
        }

        // Every request is over on the server too, and with it every turn.
        Assert.IsTrue(await world.Gauges.WaitUntilAsync(g => g.Connections == 0, TimeSpan.FromSeconds(30)), "every request is over on the server");
        Assert.AreEqual(0, world.Gauges.Turns, "every /stream turn's pump stopped");
        Assert.AreEqual(0, world.Gauges.Buffered, "every byte buffered for the clients was given back");
        await world.CheckUpstreamIdleAsync(group.Select(r => r.Agent).Distinct().ToArray());
    }

    private static async Task<Outcome> RunOneAsync(FuzzWorld world, HttpClient http, StreamRequest r)
    {
        if (r.StartDelayMs > 0)
        {
            await Task.Delay(r.StartDelayMs); // the generated start offset, not a wait for state
        }

        var outcome = new Outcome();
        using var abort = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        string body = JsonSerializer.Serialize(new { agent_id = world.Agents[r.Agent], message = world.ContentFor(r.Agent, foreign: false) });
        using var request = new HttpRequestMessage(HttpMethod.Post, "/stream") { Content = new StringContent(body, Encoding.UTF8, "application/json") };
        request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", FuzzWorld.ScopedKey);
        try
        {
            using HttpResponseMessage response = await http.SendAsync(request, HttpCompletionOption.ResponseHeadersRead, abort.Token);
            Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
            if (r.AbortAfterEvents == 0)
            {
                outcome.Aborted = true; // the client gives up as soon as the answer starts
                outcome.AbortedAt = DateTimeOffset.UtcNow;
                abort.Cancel();
                return outcome;
            }

            using var reader = new StreamReader(await response.Content.ReadAsStreamAsync(abort.Token));
            while (await reader.ReadLineAsync(abort.Token) is { } line)
            {
                if (!line.StartsWith("data: ", StringComparison.Ordinal))
                {
                    continue;
                }

                ServerFrame e = ServerFrame.Parse(line["data: ".Length..]);
                outcome.Events.Add(e);
                outcome.RunId ??= e.RunId;
                if (r.AbortAfterEvents >= 0 && outcome.Events.Count >= r.AbortAfterEvents)
                {
                    outcome.Aborted = true;
                    outcome.AbortedAt = DateTimeOffset.UtcNow;
                    abort.Cancel();
                    break;
                }
            }
        }
        catch (Exception e) when (e is OperationCanceledException or HttpRequestException or IOException && outcome.Aborted)
        {
        }

        return outcome;
    }

    private sealed class Outcome
    {
        public List<ServerFrame> Events { get; } = [];

        public string? RunId { get; set; }

        public bool Aborted { get; set; }

        public DateTimeOffset AbortedAt { get; set; }
    }
}
