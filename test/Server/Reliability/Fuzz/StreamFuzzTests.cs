using System.Diagnostics.Metrics;
using System.Net;
using System.Text;
using System.Text.Json;
using CsCheck;
using LettaSockets.Protocol.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LettaSockets.Server.Tests.Reliability.Fuzz;

/// <summary>
/// Model-based fuzzing of <c>POST /stream</c>: generated groups of concurrent requests (the same and
/// different agents, one failing mid-stream) that clients abort at random points. Each request that
/// was not aborted ends with exactly one terminal event and nothing after it; each aborted one whose
/// run had started is cancelled in Letta; no <c>internal</c> error; every turn and request is gone
/// afterwards. Budget and replay as <see cref="SocketFuzzTests"/>.
/// </summary>
[TestClass]
public sealed class StreamFuzzTests
{
    private const string CiSeed = "0Z8mQ1xkW3Lb";
    private const int CiIterations = 40;

    /// <summary>How soon after a client left a run may end by itself instead of being cancelled.</summary>
    private static readonly TimeSpan EndedByItselfGrace = TimeSpan.FromMilliseconds(500);
    private static FuzzWorld s_world = null!;

    public TestContext TestContext { get; set; } = null!;

    /// <summary>One request: which agent, after how many events the client aborts (-1: never), and when it starts.</summary>
    public sealed record StreamRequest(int Agent, int AbortAfterEvents, int StartDelayMs);

    [ClassInitialize]
    public static async Task StartAsync(TestContext _) => s_world = await FuzzWorld.StartAsync();

    [ClassCleanup]
    public static async Task StopAsync()
    {
        if (s_world is not null)
        {
            await s_world.DisposeAsync();
        }
    }

    [TestMethod]
    [Timeout(300_000, CooperativeCancellation = true)]
    public async Task Concurrent_and_aborted_stream_requests_keep_every_guarantee()
    {
        FuzzBudget budget = FuzzBudget.FromEnvironment(CiSeed, CiIterations);
        TestContext.WriteLine($"fuzz: {budget}");
        Gen<StreamRequest> request = Gen.Select(Gen.Int[0, 2], Gen.Frequency((2, Gen.Const(-1)), (3, Gen.Int[0, 6])), Gen.Int[0, 30],
            (agent, abort, delay) => new StreamRequest(agent, abort, delay));
        await request.Array[1, 6].SampleAsync(
            (Func<StreamRequest[], Task>)RunGroupAsync,
            TestContext.WriteLine,
            seed: budget.Seed,
            iter: budget.Iterations,
            time: budget.Seconds,
            threads: 1,
            print: group => string.Join("\n", group.Select(r => r.ToString())));
    }

    private static async Task RunGroupAsync(StreamRequest[] group)
    {
        using var metrics = new MetricsRecorder(s_world.Gateway.Services.GetRequiredService<IMeterFactory>());
        using var http = new HttpClient { BaseAddress = s_world.Gateway.BaseUri, Timeout = Timeout.InfiniteTimeSpan };
        Outcome[] outcomes = await Task.WhenAll(group.Select(r => RunOneAsync(http, r)));

        foreach ((StreamRequest r, Outcome o) in group.Zip(outcomes))
        {
            string events = string.Join("\n", o.Events);
            Assert.IsFalse(o.Events.Any(e => e.Type == "error" && e.Code == "internal"),
                $"no internal error: {r}\n{string.Join("\n", s_world.Logs.Entries.Where(l => l.Level >= LogLevel.Error).Select(l => $"{l.Message} {l.Exception}"))}");
            if (!o.Aborted)
            {
                int[] terminals = Enumerable.Range(0, o.Events.Count).Where(i => o.Events[i].Type is "done" or "error").ToArray();
                Assert.AreEqual(1, terminals.Length, $"one terminal event: {r}\n{events}");
                Assert.AreEqual(o.Events.Count - 1, terminals[0], $"nothing after the terminal event: {r}");
                ServerFrame terminal = o.Events[^1];
                Assert.IsTrue(terminal.Type == "done" || (terminal.Code == "agent_error" && r.Agent == 2), $"a turn ends done, or agent_error for the failing agent: {r} -> {terminal.Code}");
            }
            else if (o.RunId is { } runId && !o.Events.Any(e => e.Type is "done" or "error"))
            {
                // The run must be cancelled in Letta — unless it ended by itself first: before the
                // client left, or in the moment before the gateway noticed (these scripted runs last
                // tens of milliseconds; SseEndpointTests aborts a long one and requires the cancel).
                using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
                Task cancelled = s_world.Gateway.Simulator.Journal.WaitForCancelAsync(runId, timeout.Token);
                Task ended = s_world.Gateway.Simulator.Runs.TryGet(runId, out var run) ? run.Completion : cancelled;
                await Task.WhenAny(cancelled, ended.WaitAsync(timeout.Token));
                bool endedByItself = run is { Status: not LettaSockets.Simulator.SimRunStatus.Cancelled, CompletedAt: { } at } && at - o.AbortedAt < EndedByItselfGrace;
                if (!endedByItself)
                {
                    try
                    {
                        await cancelled; // a cancelled run is journaled just after it stops
                    }
                    catch (OperationCanceledException)
                    {
                        Assert.Fail($"an aborted request's run {runId} was cancelled in Letta (or had ended by itself): {r}");
                    }
                }
            }
        }

        // Every request is over on the server too, and with it every turn.
        await metrics.WaitForCountAsync("lettasockets.connections.active", m => m.Value < 0 && m["transport"] == "sse", group.Length, TimeSpan.FromSeconds(30));
        Assert.AreEqual(0, metrics.Sum("lettasockets.turns.active"), "every /stream turn's pump stopped");
    }

    private static async Task<Outcome> RunOneAsync(HttpClient http, StreamRequest r)
    {
        if (r.StartDelayMs > 0)
        {
            await Task.Delay(r.StartDelayMs); // the generated start offset, not a wait for state
        }

        var outcome = new Outcome();
        using var abort = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        string body = JsonSerializer.Serialize(new { agent_id = s_world.Agents[r.Agent], message = "go" });
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
