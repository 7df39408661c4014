using LettaSockets.Server.Connections;
using System.Collections.Concurrent;
using System.Text.Json;
using LettaSockets.Protocol.Json;
using LettaSockets.Server.Sockets;
using LettaSockets.Server.Turns;
using LettaSockets.Simulator;
using Microsoft.Extensions.DependencyInjection;

namespace LettaSockets.Server.Tests.Hardening;

/// <summary>
/// A bounded soak: many connections, many turns, seeded random cancels, disconnects and bad frames.
/// Afterwards every request had exactly one terminal frame, every cancelled or abandoned run was
/// cancelled in Letta, nothing is left running, no session is still reachable, and a second
/// identical burst leaves managed memory where the first left it.
/// </summary>
[TestClass]
public sealed class SoakTests
{
    private const int Connections = 200;
    private const int TurnsPerConnection = 20;
    private const int Seed = 20_260_521;

    /// <summary>
    /// What the second burst may add to managed memory. It finds the process already grown by the
    /// first (the upstream pool's idle connections, buffers cached by the shared array pool), so what
    /// it adds is what it failed to release; a kilobyte kept per turn would be about 4 MiB.
    /// </summary>
    private const long SecondBurstBound = 4 * 1024 * 1024;

    private sealed class Outcome
    {
        public ConcurrentBag<string> Cancelled { get; } = [];
        public ConcurrentBag<string> Abandoned { get; } = [];
        public ConcurrentBag<string> Failures { get; } = [];

        /// <summary>Every session the burst's connections were served by, held weakly.</summary>
        public ConcurrentDictionary<string, WeakReference<IDrainableConnection>> Sessions { get; } = new(StringComparer.Ordinal);
        public int Turns;
    }

    [TestMethod]
    [Timeout(120_000, CooperativeCancellation = true)]
    public async Task Two_hundred_connections_of_twenty_turns_leave_nothing_behind()
    {
        // The simulator keeps every run it served: in its own process it does not count as ours.
        await using SimulatorProcess simulator = await SimulatorProcess.StartAsync("--pace", "0.4", "--cancel-poll-ms", "50");
        await using TestGateway gateway = await TestGateway.StartAsync(new Dictionary<string, string?>
        {
            ["Letta:BaseUrl"] = simulator.BaseUrl.ToString(),
            ["Limits:MessagesPerMinute"] = "6000",
            ["Limits:MessageBurst"] = "100",
            ["Limits:MaxConnectionsPerIp"] = "1000",
        });
        const string agent = DemoAgents.AdaId;
        await WarmUpAsync(gateway, agent);

        // Two identical bursts (same seeds, their own turn ids). Memory is read after each has
        // drained and before Letta's journal is read, whose parsing buffers grow with the journal.
        Outcome first = await RunBurstAsync(gateway, agent, round: 0);
        long afterFirst = GC.GetTotalMemory(forceFullCollection: true);
        Outcome second = await RunBurstAsync(gateway, agent, round: 1);
        long afterSecond = GC.GetTotalMemory(forceFullCollection: true);
        Assert.IsTrue(afterSecond - afterFirst < SecondBurstBound, $"managed memory: {afterFirst / 1024} KiB after the first burst, {afterSecond / 1024} KiB after the second");

        // Nothing still holds a session once its connection has ended: not the tracker, a timer, a
        // token registration, a pooled object or a turn.
        GC.Collect();
        GC.WaitForPendingFinalizers();
        GC.Collect();
        foreach (Outcome outcome in new[] { first, second })
        {
            Assert.AreEqual(Connections, outcome.Sessions.Count, "every connection's session was seen");
            List<string> reachable = outcome.Sessions.Where(s => s.Value.TryGetTarget(out _)).Select(s => s.Key).ToList();
            Assert.AreEqual(0, reachable.Count, $"sessions still reachable after their connection ended: {string.Join(", ", reachable.Take(5))}");
        }

        List<string> missed = await UncancelledAsync(simulator, first.Cancelled.Concat(first.Abandoned).Concat(second.Cancelled).Concat(second.Abandoned));
        CollectionAssert.AreEqual(new List<string>(), missed, "every cancelled or abandoned run was cancelled in Letta");
    }

    /// <summary>One burst, checked whole: every request's terminal frames, the mix, and the gateway drained.</summary>
    private static async Task<Outcome> RunBurstAsync(TestGateway gateway, string agent, int round)
    {
        var outcome = new Outcome();
        await Task.WhenAll(Enumerable.Range(0, Connections).Select(c => Task.Run(() => RunConnectionAsync(gateway, agent, round, c, outcome))));

        CollectionAssert.AreEqual(new List<string>(), outcome.Failures.ToList(), "every request had exactly one terminal frame, nothing after it");
        Assert.IsTrue(outcome.Turns > Connections * TurnsPerConnection / 2, $"{outcome.Turns} turns ran");
        Assert.IsTrue(outcome.Cancelled.Count > 100 && outcome.Abandoned.Count > 3, $"the mix happened: {outcome.Cancelled.Count} cancelled, {outcome.Abandoned.Count} abandoned");

        // Every session has ended (so every pump has stopped) and every cancel call has been answered:
        // the journal is complete.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        ConnectionTracker tracker = gateway.Services.GetRequiredService<ConnectionTracker>();
        await tracker.WhenEmptyAsync(timeout.Token);
        await gateway.Services.GetRequiredService<RunCanceller>().DrainAsync(timeout.Token);
        Assert.AreEqual(0, tracker.Count);
        Assert.AreEqual(0, tracker.ActiveTurns);
        return outcome;
    }

    /// <summary>
    /// Holds weakly every session the tracker has now. Called once a connection has its <c>ready</c>, which
    /// the session's writer sends after the tracker has the session, so its own is among them.
    /// </summary>
    private static void WatchSessions(TestGateway gateway, Outcome outcome)
    {
        foreach (IDrainableConnection session in gateway.Services.GetRequiredService<ConnectionTracker>().Sessions)
        {
            outcome.Sessions.TryAdd(session.ConnectionId, new WeakReference<IDrainableConnection>(session));
        }
    }

    /// <summary>The turns (by content) whose run Letta never saw a cancel for.</summary>
    private static async Task<List<string>> UncancelledAsync(SimulatorProcess simulator, IEnumerable<string> contents)
    {
        using JsonDocument journal = await simulator.JournalAsync();
        Dictionary<string, string> runs = journal.RootElement.GetProperty("messages").EnumerateArray()
            .Where(m => m.GetProperty("run_id").ValueKind == JsonValueKind.String)
            .ToDictionary(m => m.GetProperty("user_text").GetString()!, m => m.GetProperty("run_id").GetString()!);
        HashSet<string> cancelled = journal.RootElement.GetProperty("cancels").EnumerateArray()
            .SelectMany(c => c.GetProperty("target_run_ids").EnumerateArray().Select(r => r.GetString()!))
            .ToHashSet();
        return contents.Where(content => !cancelled.Contains(runs[content])).ToList();
    }

    /// <summary>One turn on a connection of its own, which has ended (its session too) on return.</summary>
    private static async Task WarmUpAsync(TestGateway gateway, string agent)
    {
        await using (TestClient client = await gateway.ConnectAsync(agent))
        {
            await client.SendMessageAsync("warm", "warm up");
            await client.ReadTurnAsync("warm");
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await gateway.Services.GetRequiredService<ConnectionTracker>().WhenEmptyAsync(timeout.Token);
    }

    private static async Task RunConnectionAsync(TestGateway gateway, string agent, int round, int connection, Outcome outcome)
    {
        var random = new Random(Seed + connection);
        TestClient client = await gateway.ConnectAsync(agent);
        WatchSessions(gateway, outcome);
        var sent = new List<string>();
        int badFrames = 0;
        bool gone = false;
        try
        {
            for (int t = 0; t < TurnsPerConnection && !gone; t++)
            {
                int roll = random.Next(100);
                if (random.Next(10) == 0)
                {
                    await client.SendAsync("{bad");
                    badFrames++;
                }

                string id = $"r{round}-c{connection}-t{t}";
                // A turn the client will abandon is long, so that its run is surely still going when
                // the server notices the disconnect (a short one may finish first: nothing to cancel).
                string content = roll >= 97 ? $"count to 3000 ({id})" : $"count to 30 ({id})";
                sent.Add(id);
                Interlocked.Increment(ref outcome.Turns);
                await client.SendMessageAsync(id, content);
                if (roll < 30 || roll >= 97)
                {
                    List<ServerFrame> started = await client.ReadUntilAsync(f => f.Id == id && (f.Type == "chunk" || f.IsTerminal));
                    if (roll >= 97 && !started[^1].IsTerminal)
                    {
                        client.Socket.Abort(); // vanish mid-turn
                        outcome.Abandoned.Add(content);
                        sent.Remove(id);
                        gone = true;
                        break;
                    }

                    if (!started[^1].IsTerminal)
                    {
                        await client.CancelAsync(id);
                    }
                }

                ServerFrame terminal = client.Received.LastOrDefault(f => f.Id == id && f.IsTerminal) ?? (await client.ReadTurnAsync(id))[^1];
                if (terminal.CancelledBy == "client")
                {
                    outcome.Cancelled.Add(content);
                }
            }

            if (!gone)
            {
                await client.BarrierAsync();
            }
        }
        finally
        {
            await client.DisposeAsync();
        }

        foreach (string id in sent)
        {
            List<ServerFrame> own = client.Received.Where(f => f.Id == id).ToList();
            if (own.Count(f => f.IsTerminal) != 1 || !own[^1].IsTerminal)
            {
                outcome.Failures.Add($"{id}: {own.Count(f => f.IsTerminal)} terminal frames, last {own.LastOrDefault()?.Type}");
            }
        }

        int errors = client.Received.Count(f => f.Type == "error" && f.Id is null);
        if (errors != badFrames)
        {
            outcome.Failures.Add($"connection {connection}: {badFrames} bad frames, {errors} errors");
        }
    }
}
