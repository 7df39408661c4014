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
/// floor: what loopback, Kestrel and <c>HttpClient</c> take without a gateway. Turns run one after another
/// on one connection, so nothing queues behind anything.
/// </summary>
internal static class TurnStartProbe
{
    private const string Content = "bench n=4 pace=0 size=16";
    private const int ReceiveBuffer = 16 * 1024;
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    /// <param name="relay">Another relay in front of the same simulator to probe instead of the stack's gateway
    /// (the bare relay, for the floor); its frames look like the gateway's to the client.</param>
    /// <param name="watched">With <c>--timeline</c>: the relay's process, whose runtime events and open files
    /// (its upstream pool's connections among them) are printed next to the probe's slow turns.</param>
    public static async Task<TurnStartRun> MeasureAsync(BenchStack stack, int turns, int directTurns, IPEndPoint? relay = null, ChildProcess? watched = null)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(2));
        ProbeTrace? trace = watched is null ? null : ProbeTrace.Start(watched, stack.Simulator);
        (List<double> request, List<double> first, long[] sent, long end) = await GatewayAsync(stack, relay ?? stack.GatewayEndPoint, turns, deadline.Token).ConfigureAwait(false);
        trace?.Print(sent, end, request, first);

        (List<double> directRequest, List<double> directFirst) = await DirectAsync(stack, directTurns, deadline.Token).ConfigureAwait(false);
        return new TurnStartRun(
            turns,
            CancelScenario.Percentile(request, 0.50),
            CancelScenario.Percentile(request, 0.99),
            CancelScenario.Percentile(first, 0.50),
            CancelScenario.Percentile(first, 0.99),
            CancelScenario.Percentile(directRequest, 0.50),
            CancelScenario.Percentile(directRequest, 0.99),
            CancelScenario.Percentile(directFirst, 0.50),
            CancelScenario.Percentile(directFirst, 0.99));
    }

    private static async Task<(List<double> Request, List<double> First, long[] Sent, long End)> GatewayAsync(BenchStack stack, IPEndPoint server, int turns, CancellationToken cancellationToken)
    {
        await Http.DeleteAsync(new Uri(stack.SimulatorUrl, "_sim/journal"), cancellationToken).ConfigureAwait(false);
        using WsConnection connection = await GatewayClient.OpenAsync(server, null, ReceiveBuffer, cancellationToken).ConfigureAwait(false);
        var sent = new long[turns];
        var first = new List<double>(turns);
        for (int i = 0; i < turns; i++)
        {
            var samples = new LatencySamples(8);
            sent[i] = Stopwatch.GetTimestamp();
            TurnResult turn = await GatewayClient.RunTurnAsync(connection, $"s{i}", Content, samples, 0, cancellationToken).ConfigureAwait(false);
            if (turn.Error is not null || samples.Count == 0)
            {
                throw new InvalidOperationException($"Turn-start probe: turn {i} failed ({turn.Error ?? "no deltas"}).");
            }

            first.Add(Ms(samples.First));
        }

        long end = Stopwatch.GetTimestamp();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await connection.CloseAsync(timeout.Token).ConfigureAwait(false);
        return (await RequestLegAsync(stack, sent, cancellationToken).ConfigureAwait(false), first, sent, end);
    }

    private static async Task<(List<double> Request, List<double> First)> DirectAsync(BenchStack stack, int turns, CancellationToken cancellationToken)
    {
        await Http.DeleteAsync(new Uri(stack.SimulatorUrl, "_sim/journal"), cancellationToken).ConfigureAwait(false);
        using var direct = new DirectClient(stack.SimulatorUrl);
        byte[] buffer = new byte[ReceiveBuffer];
        var sent = new long[turns];
        var first = new List<double>(turns);
        for (int i = 0; i < turns; i++)
        {
            var samples = new LatencySamples(8);
            sent[i] = Stopwatch.GetTimestamp();
            await direct.RunTurnAsync(Content, buffer, samples, 0, cancellationToken).ConfigureAwait(false);
            first.Add(Ms(samples.First));
        }

        return (await RequestLegAsync(stack, sent, cancellationToken).ConfigureAwait(false), first);
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
