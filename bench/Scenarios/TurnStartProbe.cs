using System.Diagnostics;
using System.Net;
using System.Text.Json;
using LettaSockets.Bench.Harness;
using LettaSockets.Bench.Load;
using LettaSockets.Bench.Report;

namespace LettaSockets.Bench.Scenarios;

/// <summary>
/// Turn-start overhead, the part of time-to-first-token the gateway adds, in two legs, each read on one
/// clock (Stopwatch, CLOCK_MONOTONIC in every process):
/// <list type="bullet">
/// <item><em>request</em>: from just before the client sends its <c>message</c> frame to the moment the
/// simulator's handler received the messages request (its journal's timestamp);</item>
/// <item><em>first chunk</em>: from the simulator stamping its first content event to the client receiving
/// the first <c>chunk</c> frame.</item>
/// </list>
/// The same two legs read directly (the load generator's own HTTP request, its first SSE event) are the
/// floor: what loopback, Kestrel and <c>HttpClient</c> take without a gateway. Turns run one after another,
/// so nothing queues behind anything, and (session 15 on) a direct turn follows each gateway turn, so the
/// floor is read under the same conditions as the gateway: whatever else the machine does meanwhile (in
/// experiment 61 the simulator's background collection, 0.3 s of CPU on the two cores during a probe)
/// slows both. Before, the direct turns ran after all the gateway's, and such a moment fell on the gateway
/// alone.
/// </summary>
internal static class TurnStartProbe
{
    private const string Content = "bench n=4 pace=0 size=16";
    private const int ReceiveBuffer = 16 * 1024;
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    /// <param name="turns">Turns through the relay; the first of them runs before any direct turn.</param>
    /// <param name="directTurns">Direct turns, each after a relay turn while there are any.</param>
    /// <param name="relay">Another relay in front of the same simulator to probe instead of the stack's gateway
    /// (the bare relay, for the floor); its frames look like the gateway's to the client.</param>
    /// <param name="watched">With <c>--timeline</c>: the relay's process, for <see cref="ProbeTrace"/>.</param>
    public static async Task<TurnStartRun> MeasureAsync(BenchStack stack, int turns, int directTurns, IPEndPoint? relay = null, ChildProcess? watched = null)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        CancellationToken cancellationToken = deadline.Token;
        await Http.DeleteAsync(new Uri(stack.SimulatorUrl, "_sim/journal"), cancellationToken).ConfigureAwait(false);
        using WsConnection connection = await GatewayClient.OpenAsync(relay ?? stack.GatewayEndPoint, null, ReceiveBuffer, cancellationToken).ConfigureAwait(false);
        using var direct = new DirectClient(stack.SimulatorUrl);
        byte[] buffer = new byte[ReceiveBuffer];
        var sent = new List<(bool Gateway, long At)>(turns + directTurns);
        var first = new List<double>(turns + directTurns); // in the order of sent
        using BusyLoops? busy = turns >= 100 ? BusyLoops.FromEnvironment() : null;
        ProbeTrace? trace = watched is null ? null : ProbeTrace.Start(watched, stack.Simulator);
        for (int i = 0; i < Math.Max(turns, directTurns); i++)
        {
            if (i < turns)
            {
                var samples = new LatencySamples(8);
                sent.Add((true, Stopwatch.GetTimestamp()));
                TurnResult turn = await GatewayClient.RunTurnAsync(connection, $"s{i}", Content, samples, 0, cancellationToken).ConfigureAwait(false);
                if (turn.Error is not null || samples.Count == 0)
                {
                    throw new InvalidOperationException($"Turn-start probe: turn {i} failed ({turn.Error ?? "no deltas"}).");
                }

                first.Add(Ms(samples.First));
            }

            if (i < directTurns)
            {
                var samples = new LatencySamples(8);
                sent.Add((false, Stopwatch.GetTimestamp()));
                await direct.RunTurnAsync(Content, buffer, samples, 0, cancellationToken).ConfigureAwait(false);
                first.Add(Ms(samples.First));
            }
        }

        long end = Stopwatch.GetTimestamp();
        using (var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5)))
        {
            await connection.CloseAsync(timeout.Token).ConfigureAwait(false);
        }

        List<double> request = await RequestLegAsync(stack, [.. sent.Select(s => s.At)], cancellationToken).ConfigureAwait(false);
        List<double> Of(bool gateway, List<double> legs) => [.. legs.Where((_, i) => sent[i].Gateway == gateway)];
        (List<double> gatewayRequest, List<double> gatewayFirst) = (Of(true, request), Of(true, first));
        (List<double> directRequest, List<double> directFirst) = (Of(false, request), Of(false, first));
        trace?.Print([.. sent.Where(s => s.Gateway).Select(s => s.At)], end, gatewayRequest, gatewayFirst, directRequest, directFirst);
        return new TurnStartRun(
            turns,
            CancelScenario.Percentile(gatewayRequest, 0.50),
            CancelScenario.Percentile(gatewayRequest, 0.99),
            CancelScenario.Percentile(gatewayFirst, 0.50),
            CancelScenario.Percentile(gatewayFirst, 0.99),
            CancelScenario.Percentile(directRequest, 0.50),
            CancelScenario.Percentile(directRequest, 0.99),
            CancelScenario.Percentile(directFirst, 0.50),
            CancelScenario.Percentile(directFirst, 0.99));
    }

    /// <summary>Pairs each send with the journal's messages requests, oldest first (turns ran one at a time).</summary>
    internal static async Task<List<double>> RequestLegAsync(BenchStack stack, long[] sent, CancellationToken cancellationToken)
    {
        string json = await Http.GetStringAsync(new Uri(stack.SimulatorUrl, "_sim/journal"), cancellationToken).ConfigureAwait(false);
        using JsonDocument journal = JsonDocument.Parse(json);
        long[] received = [.. journal.RootElement.GetProperty("messages").EnumerateArray().Select(m => m.GetProperty("timestamp").GetInt64()).Order()];
        if (received.Length != sent.Length)
        {
            throw new InvalidOperationException($"Turn-start probe: {sent.Length} turns but {received.Length} messages requests in the journal.");
        }

        return [.. sent.Select((s, i) => Ms(received[i] - s))];
    }

    private static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}

/// <summary>
/// An experiment's knob, off unless <c>BENCH_PROBE_BUSY</c> names a count: that many processes spinning on
/// the machine for as long as a warm probe runs, a co-located CPU consumer under control (experiment 64: how
/// much of the probe's added p99 is the machine's, through the gateway and through the bare relay).
/// </summary>
internal sealed class BusyLoops : IDisposable
{
    private readonly ChildProcess[] _loops;

    private BusyLoops(int count) =>
        _loops = [.. Enumerable.Range(0, count).Select(i => ChildProcess.Start($"busy loop {i}", "sh", ["-c", "while :; do :; done"], TimeSpan.FromMinutes(5)))];

    public static BusyLoops? FromEnvironment() =>
        int.TryParse(Environment.GetEnvironmentVariable("BENCH_PROBE_BUSY"), out int count) && count > 0 ? new BusyLoops(count) : null;

    public void Dispose()
    {
        foreach (ChildProcess loop in _loops)
        {
            loop.Dispose();
        }
    }
}
