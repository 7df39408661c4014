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
/// cancelled in Letta, nothing is left running, and managed memory is back near where it started.
/// </summary>
[TestClass]
public sealed class SoakTests
{
    private const int Connections = 200;
    private const int TurnsPerConnection = 20;
    private const int Seed = 20_260_521;

    private sealed class Outcome
    {
        public ConcurrentBag<string> Cancelled { get; } = [];
        public ConcurrentBag<string> Abandoned { get; } = [];
        public ConcurrentBag<string> Failures { get; } = [];
        public int Turns;
    }

    [TestMethod]
    [Timeout(60_000, CooperativeCancellation = true)]
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
        long baseline = GC.GetTotalMemory(forceFullCollection: true);

        var outcome = new Outcome();
        await Task.WhenAll(Enumerable.Range(0, Connections).Select(c => Task.Run(() => RunConnectionAsync(gateway, agent, c, outcome))));

        CollectionAssert.AreEqual(new List<string>(), outcome.Failures.ToList(), "every request had exactly one terminal frame, nothing after it");
        Assert.IsTrue(outcome.Turns > Connections * TurnsPerConnection / 2, $"{outcome.Turns} turns ran");
        Assert.IsTrue(outcome.Cancelled.Count > 100 && outcome.Abandoned.Count > 3, $"the mix happened: {outcome.Cancelled.Count} cancelled, {outcome.Abandoned.Count} abandoned");

        // Every session has ended (so every pump has stopped) and every cancel call has been answered:
        // the journal is complete, and read once.
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(20));
        ConnectionTracker tracker = gateway.Services.GetRequiredService<ConnectionTracker>();
        await tracker.WhenEmptyAsync(timeout.Token);
        await gateway.Services.GetRequiredService<RunCanceller>().DrainAsync(timeout.Token);
        Assert.AreEqual(0, tracker.Count);
        Assert.AreEqual(0, tracker.ActiveTurns);

        long after = GC.GetTotalMemory(forceFullCollection: true);
        Assert.IsTrue(after - baseline < 8 * 1024 * 1024, $"managed memory: {baseline / 1024} KiB before, {after / 1024} KiB after");

        List<string> missed = await UncancelledAsync(simulator, outcome.Cancelled.Concat(outcome.Abandoned));
        CollectionAssert.AreEqual(new List<string>(), missed, "every cancelled or abandoned run was cancelled in Letta");
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

    private static async Task WarmUpAsync(TestGateway gateway, string agent)
    {
        await using TestClient client = await gateway.ConnectAsync(agent);
        await client.SendMessageAsync("warm", "warm up");
        await client.ReadTurnAsync("warm");
    }

    private static async Task RunConnectionAsync(TestGateway gateway, string agent, int connection, Outcome outcome)
    {
        var random = new Random(Seed + connection);
        TestClient client = await gateway.ConnectAsync(agent);
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

                string id = $"c{connection}-t{t}";
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
