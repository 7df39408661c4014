using System.Diagnostics;
using System.Globalization;
using System.Net.WebSockets;
using System.Text;
using System.Text.Json;
using System.Text.RegularExpressions;
using LettaSockets.Bench.Harness;
using LettaSockets.Bench.Load;
using LettaSockets.Bench.Report;
using AppServerProcess = LettaSockets.Testing.LettaCodeServer;
using FakeModel = LettaSockets.Testing.FakeLlm;

namespace LettaSockets.Bench.Scenarios;

/// <summary>
/// The Letta Code App Server as the upstream (issue 14): the real <c>letta server</c> on the tests' fake
/// model, whose <c>[stamp N R]</c> answer streams N deltas at R a second, each carrying the
/// <see cref="Stopwatch"/> timestamp it was written at. In one run, the same turns are read by a client
/// that speaks the App Server's protocol itself (direct) and by a client of the gateway pointed at it;
/// both clients are <see cref="ClientWebSocket"/>s on this machine. Per delta: model → client latency;
/// the gateway's added latency is the difference. The gateway's CPU is read from <c>/proc</c> over its
/// phase, per 1,000 deltas. Skipped, with the reason, where node or the package is missing.
/// </summary>
internal static partial class AppServerScenario
{
    public const int DeltasPerTurn = 400;
    public const double DeltasPerSecond = 100;

    /// <summary>The cold turn: a fresh gateway's first, 1 s of deltas at <see cref="DeltasPerSecond"/>.</summary>
    private const int ColdDeltas = 100;
    private static readonly TimeSpan TurnTimeout = TimeSpan.FromSeconds(60);

    // The App Server runs an input sent right after a turn ended in a state it cannot abort; the
    // gateway waits AppServer:InputSettleDelay (150 ms) for that. Both clients wait this long between turns.
    private static readonly TimeSpan BetweenTurns = TimeSpan.FromMilliseconds(300);

    public static async Task<AppServerSection?> RunAsync(BenchOptions options)
    {
        if (AppServerProcess.SkipReason is { } why)
        {
            Console.WriteLine($"  app server: skipped: {why}");
            return null;
        }

        int turns = options.Quick ? 2 : 5;
        await using FakeModel llm = await FakeModel.StartAsync().ConfigureAwait(false);
        await using AppServerProcess server = await AppServerProcess.StartAsync(llm).ConfigureAwait(false);
        string agent = await server.CreateAgentAsync("bench").ConfigureAwait(false);
        var section = new AppServerSection { MeasuredAt = DateTimeOffset.UtcNow, TurnsPerRun = turns, DeltasPerTurn = DeltasPerTurn, DeltasPerSecond = DeltasPerSecond };

        // The App Server's own warm-up (its runtime, the fake model), so that what is cold below is the gateway.
        await DirectAsync(server, agent, 2, ColdDeltas, new LatencySamples()).ConfigureAwait(false);
        for (int run = 0; run < options.Runs; run++)
        {
            // A fresh gateway per run: its first turn is the cold figure, the turns after it the warm ones.
            using BenchStack stack = await BenchStack.StartAsync(options, gatewayArguments: [$"--Letta:BaseUrl={server.WebSocketUrl}", $"--Letta:ApiKey={server.Token}"]).ConfigureAwait(false);
            var gatewayUri = new Uri($"ws://{stack.GatewayEndPoint}/ws/{agent}");
            var coldGateway = new LatencySamples(ColdDeltas);
            TimeSpan coldCpuBefore = ProcStats.Cpu(stack.Gateway.Pid);
            await ViaGatewayAsync(gatewayUri, 1, ColdDeltas, coldGateway).ConfigureAwait(false);
            double coldCpu = (ProcStats.Cpu(stack.Gateway.Pid) - coldCpuBefore).TotalSeconds;
            var coldDirect = new LatencySamples(ColdDeltas);
            await DirectAsync(server, agent, 1, ColdDeltas, coldDirect).ConfigureAwait(false);
            LatencySummary cg = LatencySamples.Summarize([coldGateway]);
            LatencySummary cd = LatencySamples.Summarize([coldDirect]);
            var cold = new AppServerColdRun(stack.GatewayReadySeconds, cd.P99, cg.P50, cg.P99, cg.Max, coldCpu * 1000 / Math.Max(1, cg.Samples));
            section.Cold.Add(cold);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  app server cold {run + 1}: gateway ready after {cold.ReadySeconds * 1000:F0} ms; its first turn p50 {cg.P50:F2} ms p99 {cg.P99:F2} ms max {cg.Max:F2} ms (direct p99 {cd.P99:F2} ms); CPU {cold.GatewayCpuMsPer1000:F1} ms per 1,000 deltas"));

            var direct = new LatencySamples(turns * DeltasPerTurn);
            await DirectAsync(server, agent, turns, DeltasPerTurn, direct).ConfigureAwait(false);

            var viaGateway = new LatencySamples(turns * DeltasPerTurn);
            TimeSpan cpuBefore = ProcStats.Cpu(stack.Gateway.Pid);
            await ViaGatewayAsync(gatewayUri, turns, DeltasPerTurn, viaGateway).ConfigureAwait(false);
            double cpuSeconds = (ProcStats.Cpu(stack.Gateway.Pid) - cpuBefore).TotalSeconds;
            stack.EnsureAlive();

            LatencySummary d = LatencySamples.Summarize([direct]);
            LatencySummary g = LatencySamples.Summarize([viaGateway]);
            var result = new AppServerRun(d.Samples, g.Samples, d.P50, d.P99, g.P50, g.P99, cpuSeconds * 1000 / Math.Max(1, g.Samples));
            section.Runs.Add(result);
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"  app server run {run + 1}: direct p50 {d.P50:F2} ms p99 {d.P99:F2} ms ({d.Samples} deltas); gateway p50 {g.P50:F2} ms p99 {g.P99:F2} ms ({g.Samples}); added p99 {g.P99 - d.P99:F2} ms; gateway CPU {result.GatewayCpuMsPer1000:F1} ms per 1,000 deltas"));
        }

        return section;
    }

    /// <summary>Turns straight on the App Server's WebSocket: start the runtime, send inputs, read
    /// <c>stream_delta</c> frames until <c>turn_finished</c>.</summary>
    private static async Task DirectAsync(AppServerProcess server, string agent, int turns, int deltas, LatencySamples samples)
    {
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + server.Token);
        using var timeout = new CancellationTokenSource(TurnTimeout * (turns + 1));
        await socket.ConnectAsync(server.WebSocketUrl, timeout.Token).ConfigureAwait(false);
        var runtime = new { agent_id = agent, conversation_id = "default" };
        await SendAsync(socket, new { type = "runtime_start", request_id = "bench-start", agent_id = agent, conversation_id = "default", mode = "standard", client_info = new { name = "bench", version = "1" } }, timeout.Token).ConfigureAwait(false);
        await ReadUntilAsync(socket, frame => Field(frame, "request_id") == "bench-start", samples: null, timeout.Token).ConfigureAwait(false);
        for (int i = 0; i < turns; i++)
        {
            await Task.Delay(BetweenTurns, timeout.Token).ConfigureAwait(false);
            string id = $"direct-{Guid.NewGuid():N}";
            await SendAsync(socket, new
            {
                type = "input",
                request_id = id,
                runtime,
                payload = new { kind = "create_message", messages = new[] { new { role = "user", content = Stamp(deltas), client_message_id = id } } },
            }, timeout.Token).ConfigureAwait(false);
            await ReadUntilAsync(socket, frame => Field(frame, "type") == "turn_finished", samples, timeout.Token).ConfigureAwait(false);
        }
    }

    /// <summary>The same turns through the gateway, as any client of docs/PROTOCOL.md sends them.</summary>
    private static async Task ViaGatewayAsync(Uri gateway, int turns, int deltas, LatencySamples samples)
    {
        using var socket = new ClientWebSocket();
        using var timeout = new CancellationTokenSource(TurnTimeout * (turns + 1));
        await socket.ConnectAsync(gateway, timeout.Token).ConfigureAwait(false);
        await ReadUntilAsync(socket, frame => Field(frame, "type") == "ready", samples: null, timeout.Token).ConfigureAwait(false);
        for (int i = 0; i < turns; i++)
        {
            await Task.Delay(BetweenTurns, timeout.Token).ConfigureAwait(false);
            string id = $"gw-{i}";
            await SendAsync(socket, new { type = "message", id, content = Stamp(deltas) }, timeout.Token).ConfigureAwait(false);
            JsonElement end = await ReadUntilAsync(socket, frame => Field(frame, "id") == id && Field(frame, "type") is "done" or "error", samples, timeout.Token).ConfigureAwait(false);
            if (Field(end, "type") != "done")
            {
                throw new InvalidOperationException($"A gateway turn failed: {end}");
            }
        }
    }

    private static string Stamp(int deltas) => string.Create(CultureInfo.InvariantCulture, $"[stamp {deltas} {DeltasPerSecond}]");

    private static Task SendAsync(ClientWebSocket socket, object frame, CancellationToken token) =>
        socket.SendAsync(JsonSerializer.SerializeToUtf8Bytes(frame), WebSocketMessageType.Text, endOfMessage: true, token);

    /// <summary>Reads frames until <paramref name="until"/> holds; every timestamp in their text adds a sample.</summary>
    private static async Task<JsonElement> ReadUntilAsync(ClientWebSocket socket, Func<JsonElement, bool> until, LatencySamples? samples, CancellationToken token)
    {
        var buffer = new byte[64 * 1024];
        var message = new MemoryStream();
        while (true)
        {
            message.SetLength(0);
            ValueWebSocketReceiveResult received;
            do
            {
                received = await socket.ReceiveAsync(buffer.AsMemory(), token).ConfigureAwait(false);
                if (received.MessageType == WebSocketMessageType.Close)
                {
                    throw new InvalidOperationException($"The socket closed: {socket.CloseStatus} {socket.CloseStatusDescription}");
                }

                message.Write(buffer, 0, received.Count);
            }
            while (!received.EndOfMessage);

            long now = Stopwatch.GetTimestamp();
            string text = Encoding.UTF8.GetString(message.GetBuffer(), 0, (int)message.Length);
            if (samples is not null)
            {
                foreach (Match stamp in Stamps().Matches(text))
                {
                    samples.Add(now - long.Parse(stamp.Groups[1].ValueSpan, CultureInfo.InvariantCulture));
                }
            }

            using JsonDocument document = JsonDocument.Parse(text);
            if (until(document.RootElement))
            {
                return document.RootElement.Clone();
            }
        }
    }

    private static string? Field(JsonElement frame, string name) =>
        frame.ValueKind == JsonValueKind.Object && frame.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    [GeneratedRegex(@"\|t=(\d+)\|")]
    private static partial Regex Stamps();
}
