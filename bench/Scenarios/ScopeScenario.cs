using System.Diagnostics;
using System.Text;
using System.Text.Json;
using LettaSockets.Bench.Harness;
using LettaSockets.Bench.Load;
using LettaSockets.Bench.Report;
using LettaSockets.Simulator;

namespace LettaSockets.Bench.Scenarios;

/// <summary>
/// What scopes on objects cost (docs/PROTOCOL.md rule 7): before a turn names a conversation or resumes a run,
/// the gateway asks Letta who owns it once and then remembers. Measured on a fresh stack per run, turns
/// one after another on one connection, the request leg of <see cref="TurnStartProbe"/> (the client's
/// frame → the simulator receiving the messages request):
/// <list type="bullet">
/// <item>no conversation (nothing to look up) — the baseline;</item>
/// <item>the same conversation every turn — its owner cached after the first;</item>
/// <item>a new conversation every turn — one look-up (<c>GET /v1/conversations/{id}</c>) each.</item>
/// </list>
/// And for <c>resume</c>, from the frame to the first replayed <c>chunk</c>: each finished run resumed
/// for the first time (one <c>GET /v1/runs/{id}</c>) and again (cached).
/// </summary>
internal static class ScopeScenario
{
    private const string Content = "bench n=4 pace=0 size=16";
    private const int ReceiveBuffer = 16 * 1024;
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    public static async Task<ScopeSection> RunAsync(BenchOptions options)
    {
        int turns = options.Quick ? 50 : 300;
        var section = new ScopeSection { MeasuredAt = DateTimeOffset.UtcNow, Turns = turns };
        for (int run = 0; run < options.Runs; run++)
        {
            using BenchStack stack = await BenchStack.StartAsync(options, jitLog: false).ConfigureAwait(false);
            using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(5));
            CancellationToken token = deadline.Token;
            using WsConnection connection = await GatewayClient.OpenAsync(stack.GatewayEndPoint, null, ReceiveBuffer, token).ConfigureAwait(false);

            // The same warm-up for every variant: turns of each shape until none of them is new to the process.
            string warm = await CreateConversationAsync(stack, token).ConfigureAwait(false);
            for (int i = 0; i < 50; i++)
            {
                await RequestLegAsync(stack, connection, [Frame($"w{i}", null), Frame($"wc{i}", warm), Frame($"wn{i}", await CreateConversationAsync(stack, token).ConfigureAwait(false))], token).ConfigureAwait(false);
            }

            string same = await CreateConversationAsync(stack, token).ConfigureAwait(false);
            await RequestLegAsync(stack, connection, [Frame("prime", same)], token).ConfigureAwait(false);
            var fresh = new string[turns];
            for (int i = 0; i < turns; i++)
            {
                fresh[i] = await CreateConversationAsync(stack, token).ConfigureAwait(false);
            }

            // Interleaved, so drift in the machine's load falls on all three alike.
            var plain = new List<double>(turns);
            var cached = new List<double>(turns);
            var lookup = new List<double>(turns);
            for (int i = 0; i < turns; i++)
            {
                List<double> legs = await RequestLegAsync(stack, connection, [Frame($"p{i}", null), Frame($"c{i}", same), Frame($"n{i}", fresh[i])], token).ConfigureAwait(false);
                plain.Add(legs[0]);
                cached.Add(legs[1]);
                lookup.Add(legs[2]);
            }

            (List<double> firstResume, List<double> againResume) = await ResumesAsync(connection, Math.Min(turns, 100), token).ConfigureAwait(false);
            section.Runs.Add(new ScopeRun(
                P(plain, 0.5), P(plain, 0.99), P(cached, 0.5), P(cached, 0.99), P(lookup, 0.5), P(lookup, 0.99),
                P(firstResume, 0.5), P(firstResume, 0.99), P(againResume, 0.5), P(againResume, 0.99), firstResume.Count));
            Console.WriteLine(FormattableString.Invariant(
                $"  run {run + 1}: request leg p50/p99 plain {P(plain, 0.5):F3}/{P(plain, 0.99):F3} ms, same conversation {P(cached, 0.5):F3}/{P(cached, 0.99):F3} ms, new conversation {P(lookup, 0.5):F3}/{P(lookup, 0.99):F3} ms; resume to first chunk first {P(firstResume, 0.5):F3}/{P(firstResume, 0.99):F3} ms, again {P(againResume, 0.5):F3}/{P(againResume, 0.99):F3} ms"));
        }

        return section;
    }

    private static string Frame(string id, string? conversation) => conversation is null
        ? GatewayClient.MessageFrame(id, Content)
        : $$"""{"type":"message","id":"{{id}}","content":"{{Content}}","conversation_id":"{{conversation}}"}""";

    private static async Task<string> CreateConversationAsync(BenchStack stack, CancellationToken cancellationToken)
    {
        using var content = new StringContent("{}", Encoding.UTF8, "application/json");
        using HttpResponseMessage response = await Http.PostAsync(new Uri(stack.SimulatorUrl, $"v1/conversations?agent_id={DemoAgents.BenchId}"), content, cancellationToken).ConfigureAwait(false);
        response.EnsureSuccessStatusCode();
        using JsonDocument body = JsonDocument.Parse(await response.Content.ReadAsStringAsync(cancellationToken).ConfigureAwait(false));
        return body.RootElement.GetProperty("id").GetString()!;
    }

    /// <summary>Runs the frames' turns one after another and returns each one's request leg in milliseconds.</summary>
    private static async Task<List<double>> RequestLegAsync(BenchStack stack, WsConnection connection, string[] frames, CancellationToken cancellationToken)
    {
        await Http.DeleteAsync(new Uri(stack.SimulatorUrl, "_sim/journal"), cancellationToken).ConfigureAwait(false);
        var sent = new long[frames.Length];
        for (int i = 0; i < frames.Length; i++)
        {
            sent[i] = Stopwatch.GetTimestamp();
            string? error = await RunAsync(connection, frames[i], cancellationToken).ConfigureAwait(false);
            if (error is not null)
            {
                throw new InvalidOperationException($"Scope scenario: a turn failed ({error}): {frames[i]}");
            }
        }

        return await TurnStartProbe.RequestLegAsync(stack, sent, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Background runs of the bench agent, each resumed from its start twice: from the frame to the first replayed chunk.</summary>
    private static async Task<(List<double> First, List<double> Again)> ResumesAsync(WsConnection connection, int runs, CancellationToken cancellationToken)
    {
        var runIds = new List<string>(runs);
        for (int i = 0; i < runs; i++)
        {
            runIds.Add(await BackgroundRunAsync(connection, $"bg{i}", cancellationToken).ConfigureAwait(false));
        }

        var first = new List<double>(runs);
        var again = new List<double>(runs);
        for (int i = 0; i < runs; i++)
        {
            first.Add(await ResumeAsync(connection, $"r{i}", runIds[i], cancellationToken).ConfigureAwait(false));
            again.Add(await ResumeAsync(connection, $"ra{i}", runIds[i], cancellationToken).ConfigureAwait(false));
        }

        return (first, again);
    }

    private static async Task<string> BackgroundRunAsync(WsConnection connection, string id, CancellationToken cancellationToken)
    {
        await connection.SendTextAsync($$"""{"type":"message","id":"{{id}}","content":"{{Content}}","resumable":true}""", cancellationToken).ConfigureAwait(false);
        string? runId = null;
        while (true)
        {
            WsFrame frame = await connection.ReceiveAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySpan<byte> payload = frame.Payload.Span;
            runId ??= GatewayFrames.StringField(payload, "run_id");
            switch (GatewayFrames.TypeOf(payload))
            {
                case FrameType.Done when runId is not null:
                    return runId;
                case FrameType.Done or FrameType.Error:
                    throw new InvalidOperationException($"Scope scenario: the background turn {id} ended without a run id ({GatewayFrames.StringField(payload, "code")}).");
            }
        }
    }

    private static async Task<double> ResumeAsync(WsConnection connection, string id, string runId, CancellationToken cancellationToken)
    {
        long sent = Stopwatch.GetTimestamp();
        await connection.SendTextAsync($$"""{"type":"resume","id":"{{id}}","run_id":"{{runId}}","after_seq":0}""", cancellationToken).ConfigureAwait(false);
        double? firstChunk = null;
        while (true)
        {
            WsFrame frame = await connection.ReceiveAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySpan<byte> payload = frame.Payload.Span;
            switch (GatewayFrames.TypeOf(payload))
            {
                case FrameType.Chunk:
                    firstChunk ??= Ms(connection.LastReceiveTimestamp - sent);
                    break;
                case FrameType.Done when firstChunk is { } ms:
                    return ms;
                case FrameType.Done or FrameType.Error:
                    throw new InvalidOperationException($"Scope scenario: resuming {runId} replayed nothing ({GatewayFrames.StringField(payload, "code")}).");
            }
        }
    }

    private static async Task<string?> RunAsync(WsConnection connection, string frameText, CancellationToken cancellationToken)
    {
        await connection.SendTextAsync(frameText, cancellationToken).ConfigureAwait(false);
        while (true)
        {
            WsFrame frame = await connection.ReceiveAsync(cancellationToken).ConfigureAwait(false);
            ReadOnlySpan<byte> payload = frame.Payload.Span;
            switch (GatewayFrames.TypeOf(payload))
            {
                case FrameType.Done:
                    return null;
                case FrameType.Error:
                    return GatewayFrames.StringField(payload, "code") ?? "error";
            }
        }
    }

    private static double P(List<double> values, double percentile) => CancelScenario.Percentile(values, percentile);

    private static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}
