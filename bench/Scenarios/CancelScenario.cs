using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using LettaSockets.Bench.Harness;
using LettaSockets.Bench.Load;
using LettaSockets.Bench.Report;

namespace LettaSockets.Bench.Scenarios;

/// <summary>
/// Cancel: rounds of 100 concurrent turns streaming 20 deltas per second; each sends <c>cancel</c> after 10 to 19
/// deltas (so the cancels are spread over half a second, not one burst); three rounds (300 cancels) make a run. Measured per turn: from just
/// before the cancel frame is sent to the arrival of its <c>done</c>, and to the moment the simulator
/// received Letta's cancel call for the run (its journal's Stopwatch timestamp; both processes read
/// CLOCK_MONOTONIC). Also counts content frames that still arrived after the cancel was sent.
/// The floor, on the same connections in the same rounds: halfway to its cancel every turn's client sends a
/// <c>ping</c> and times its <c>pong</c>: the same reader loop, output queue and writer loop as a cancel's
/// <c>done</c>, without the cancel, under the same load on the same cores.
/// </summary>
internal static class CancelScenario
{
    public const int Turns = 100;
    private const int ReceiveBuffer = 16 * 1024;
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    /// <summary>Rounds of <see cref="Turns"/> cancels pooled into one run: the goal's p99 is read over at least 200 cancels.</summary>
    public const int RoundsPerRun = 3;

    public static async Task<CancelSection> RunAsync(BenchOptions options, BenchStack stack)
    {
        var section = new CancelSection { MeasuredAt = DateTimeOffset.UtcNow, Turns = Turns };
        for (int run = 0; run < options.Runs; run++)
        {
            var rounds = new List<Samples>();
            for (int round = 0; round < RoundsPerRun; round++)
            {
                await Http.DeleteAsync(new Uri(stack.SimulatorUrl, "_sim/journal")).ConfigureAwait(false);
                rounds.Add(await MeasureRoundAsync(stack, Turns, seed: run * RoundsPerRun + round).ConfigureAwait(false));
            }

            CancelRun result = Summarize(rounds);
            section.Runs.Add(result);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  cancel run {run + 1} ({result.Cancelled} cancels): cancel→done p50 {result.DoneP50Ms:F2} ms p99 {result.DoneP99Ms:F2} ms max {result.DoneMaxMs:F2} ms; cancel→Letta call p50 {result.UpstreamP50Ms:F2} ms p99 {result.UpstreamP99Ms:F2} ms max {result.UpstreamMaxMs:F2} ms ({result.UpstreamCalls}/{result.Cancelled}); ping→pong p99 {result.PongP99Ms:F2} ms ({result.Pongs}); late content frames ≤ {result.ContentFramesAfterCancelMax}; errors {result.Errors}"));
        }

        return section;
    }

    /// <summary>One round of <paramref name="turns"/> cancelled turns; also every cancel → <c>done</c> and ping →
    /// <c>pong</c> time (ms), so rounds can be pooled (the cold scenario's first seconds).</summary>
    internal static async Task<(CancelRun Run, List<double> Done, List<double> Pong)> MeasureWithSamplesAsync(BenchStack stack, int turns, int seed)
    {
        Samples samples = await MeasureRoundAsync(stack, turns, seed).ConfigureAwait(false);
        return (Summarize([samples]), samples.Done, samples.Pong);
    }

    /// <summary>What one round measured: cancel → <c>done</c>, cancel → Letta's cancel call and ping → <c>pong</c>
    /// per turn (ms).</summary>
    private sealed record Samples(List<double> Done, List<double> Upstream, List<double> Pong, int Errors, int LateFrames);

    private static CancelRun Summarize(IReadOnlyList<Samples> rounds)
    {
        List<double> done = [.. rounds.SelectMany(r => r.Done)];
        List<double> upstream = [.. rounds.SelectMany(r => r.Upstream)];
        List<double> pong = [.. rounds.SelectMany(r => r.Pong)];
        return new CancelRun(
            done.Count,
            rounds.Sum(r => r.Errors),
            Percentile(done, 0.50),
            Percentile(done, 0.99),
            done.Count == 0 ? 0 : done.Max(),
            upstream.Count,
            Percentile(upstream, 0.50),
            Percentile(upstream, 0.99),
            upstream.Count == 0 ? 0 : upstream.Max(),
            rounds.Count == 0 ? 0 : rounds.Max(r => r.LateFrames))
        {
            Pongs = pong.Count,
            PongP50Ms = Percentile(pong, 0.50),
            PongP99Ms = Percentile(pong, 0.99),
        };
    }

    private static async Task<Samples> MeasureRoundAsync(BenchStack stack, int turns, int seed)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(1));
        IReadOnlyList<WsConnection> connections = await GatewayClient.OpenManyAsync(stack.GatewayEndPoint, turns, ReceiveBuffer, deadline.Token).ConfigureAwait(false);
        var random = new Random(seed);
        int[] cancelAfter = Enumerable.Range(0, turns).Select(_ => 10 + random.Next(10)).ToArray();
        try
        {
            Outcome[] outcomes = await Task.WhenAll(connections.Select((c, i) => CancelTurnAsync(c, $"k{seed}-{i}", cancelAfter[i], deadline.Token))).ConfigureAwait(false);
            stack.EnsureAlive();
            Dictionary<string, long> calls = await CancelCallsAsync(stack).ConfigureAwait(false);

            var done = new List<double>();
            var upstream = new List<double>();
            var pong = new List<double>();
            foreach (Outcome o in outcomes.Where(o => o.Error is null))
            {
                done.Add(Ms(o.DoneAt - o.CancelSentAt));
                if (o.PongAt != 0)
                {
                    pong.Add(Ms(o.PongAt - o.PingSentAt));
                }

                if (o.RunId is not null && calls.TryGetValue(o.RunId, out long at))
                {
                    upstream.Add(Ms(at - o.CancelSentAt));
                }
            }

            return new Samples(done, upstream, pong, outcomes.Count(o => o.Error is not null), outcomes.Length == 0 ? 0 : outcomes.Max(o => o.LateFrames));
        }
        finally
        {
            await GatewayClient.CloseAllAsync(connections).ConfigureAwait(false);
        }
    }

    /// <summary>One turn cancelled after its first delta (the warm-up's cancel path).</summary>
    public static async Task CancelledTurnAsync(WsConnection connection, string id, CancellationToken cancellationToken) =>
        await CancelTurnAsync(connection, id, 1, cancellationToken).ConfigureAwait(false);

    private static async Task<Outcome> CancelTurnAsync(WsConnection connection, string id, int cancelAfter, CancellationToken cancellationToken)
    {
        await connection.SendTextAsync(GatewayClient.MessageFrame(id, "bench n=100000 pace=20 size=16"), cancellationToken).ConfigureAwait(false);
        string? runId = null;
        int chunks = 0;
        long cancelSentAt = 0;
        int pingAfter = cancelAfter / 2;
        long pingSentAt = 0;
        long pongAt = 0;
        int late = 0;
        while (true)
        {
            WsFrame frame = await connection.ReceiveAsync(cancellationToken).ConfigureAwait(false);
            if (frame.IsClose)
            {
                return new Outcome(runId, cancelSentAt, 0, late, "closed", pingSentAt, pongAt);
            }

            ReadOnlySpan<byte> payload = frame.Payload.Span;
            FrameType type = GatewayFrames.TypeOf(payload);
            runId ??= type is FrameType.Status or FrameType.Chunk ? GatewayFrames.StringField(payload, "run_id") : null;
            switch (type)
            {
                case FrameType.Chunk or FrameType.Status when cancelSentAt != 0:
                    late++;
                    break;
                case FrameType.Chunk:
                    chunks += ChunkScanner.Count(payload);
                    if (pingSentAt == 0 && chunks >= pingAfter && chunks < cancelAfter)
                    {
                        pingSentAt = Stopwatch.GetTimestamp();
                        await connection.SendTextAsync($$"""{"type":"ping","id":"{{id}}-ping"}""", cancellationToken).ConfigureAwait(false);
                    }

                    if (chunks >= cancelAfter)
                    {
                        cancelSentAt = Stopwatch.GetTimestamp();
                        await connection.SendTextAsync($$"""{"type":"cancel","id":"{{id}}"}""", cancellationToken).ConfigureAwait(false);
                    }

                    break;
                case FrameType.Done:
                    long doneAt = connection.LastReceiveTimestamp;
                    bool cancelled = GatewayFrames.StringField(payload, "stop_reason") == "cancelled"
                        && GatewayFrames.StringField(payload, "cancelled_by") == "client";
                    return new Outcome(runId, cancelSentAt, doneAt, late, cancelSentAt != 0 && cancelled ? null : "not_cancelled", pingSentAt, pongAt);
                case FrameType.Pong:
                    pongAt = connection.LastReceiveTimestamp;
                    break;
                case FrameType.Error:
                    return new Outcome(runId, cancelSentAt, 0, late, GatewayFrames.StringField(payload, "code") ?? "error", pingSentAt, pongAt);
            }
        }
    }

    /// <summary>When the simulator received the first cancel call naming each run (Stopwatch ticks).</summary>
    private static async Task<Dictionary<string, long>> CancelCallsAsync(BenchStack stack)
    {
        using JsonDocument journal = JsonDocument.Parse(await Http.GetStringAsync(new Uri(stack.SimulatorUrl, "_sim/journal")).ConfigureAwait(false));
        var calls = new Dictionary<string, long>(StringComparer.Ordinal);
        foreach (JsonElement cancel in journal.RootElement.GetProperty("cancels").EnumerateArray())
        {
            long timestamp = cancel.GetProperty("timestamp").GetInt64();
            foreach (JsonElement runId in cancel.GetProperty("target_run_ids").EnumerateArray())
            {
                string id = runId.GetString()!;
                if (!calls.TryGetValue(id, out long existing) || timestamp < existing)
                {
                    calls[id] = timestamp;
                }
            }
        }

        return calls;
    }

    private static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    internal static double Percentile(List<double> values, double p)
    {
        if (values.Count == 0)
        {
            return 0;
        }

        double[] sorted = [.. values.Order()];
        return sorted[Math.Min(sorted.Length - 1, (int)Math.Ceiling(p * sorted.Length) - 1)];
    }

    private readonly record struct Outcome(string? RunId, long CancelSentAt, long DoneAt, int LateFrames, string? Error, long PingSentAt, long PongAt);
}
