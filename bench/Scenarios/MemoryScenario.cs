using System.Diagnostics;
using System.Globalization;
using System.Net;
using System.Text.Json;
using LettaSockets.Bench.Harness;
using LettaSockets.Bench.Load;
using LettaSockets.Bench.Report;

namespace LettaSockets.Bench.Scenarios;

/// <summary>
/// Memory bounded in bytes (issue 20): what one more unit of each kind costs the gateway, as the slope
/// of its <c>VmRSS</c>. Every kind gets a fresh simulator and gateway, warmed up with a few units of the
/// same kind. Then: RSS at a baseline, with a small and a large number of units (opened on top of the
/// small set: "cold", the process grows), after closing them all, and with the large number again
/// ("warm": the process already held that much once). Kinds:
/// <list type="bullet">
/// <item><c>idle</c>, <c>idle-deflate</c>: idle connections without and with permessage-deflate, on one gateway
/// with <c>Sockets:Compression=true</c> (and the default <c>server_no_context_takeover</c>); the compressed
/// ones must have had the extension accepted and their <c>ready</c> compressed.</item>
/// <item><c>idle-deflate-context</c>: the same with <c>Sockets:CompressionKeepsContext=true</c> (the deflate
/// state kept between messages).</item>
/// <item><c>streaming</c>: a turn whose Letta sends one small delta a second, its client reading: what a live
/// turn costs while it waits for the model (the SSE reader holds no read buffer then).</item>
/// <item><c>paced-64k</c>, <c>paced-4k</c>: a turn at <see cref="PacedRate"/> characters a second on the Bench
/// agent streaming deltas of 64 Ki (the case) or 4 Ki characters, its client reading everything:
/// <c>Sockets:MaxPacedBytes</c> bounds what it holds. The baseline has the units' connections already
/// open and idle, so the slope is the turn's own cost.</item>
/// <item><c>slow-reader-64k</c>, <c>slow-reader-4k</c>: an unpaced turn of the same deltas whose client
/// sends its message and never reads again (socket receive buffer 16 KiB): <c>Sockets:MaxQueuedBytes</c>
/// bounds what the gateway holds. Measured well within <c>Sockets:StallTimeout</c> (30 s), before the
/// gateway closes such clients; a turn it ended early would show as a cancel call in the simulator's journal.</item>
/// </list>
/// Last, the same large number once more, for the live managed heap per unit: read right after a full
/// collection the bench has the gateway's runtime do (<see cref="ManagedHeap"/>), before and with the units
/// — what they hold, without the garbage RSS also carries. (Forced collections change how the process
/// uses its memory, so they come after every RSS reading.)
/// The kernel's TCP memory (<c>/proc/net/sockstat</c>, all sockets of the machine) is read beside RSS:
/// it is where the rest of a backpressured stream waits, outside the gateway process.
/// </summary>
internal static class MemoryScenario
{
    /// <summary>Characters per delta of the turns (the Bench agent's <c>size</c>): 64 Ki.</summary>
    public const int DeltaChars = 64 * 1024;

    /// <summary>The same turns with small deltas, where what is outside the caps (a delta or two in flight) is small.</summary>
    public const int SmallDeltaChars = 4 * 1024;

    public const double PacedRate = 3;

    /// <summary>Deltas a second Letta sends in the <c>streaming</c> kind: a turn that spends its time waiting for the model.</summary>
    public const int LettaPace = 1;

    /// <summary>The shipped <c>Sockets:MaxPacedBytes</c> and <c>Sockets:MaxQueuedBytes</c> the scenario runs with.</summary>
    public const long MaxPacedBytes = 256 * 1024;

    public const long MaxQueuedBytes = 1024 * 1024;

    private const int SlowReaderSocketBuffer = 16 * 1024;
    private const int ReceiveBuffer = 16 * 1024;
    private static readonly TimeSpan ConnectTimeout = TimeSpan.FromSeconds(5);
    private static readonly HttpClient Http = new() { Timeout = TimeSpan.FromSeconds(30) };

    private static readonly string[] CompressionOn = ["--Sockets:Compression=true"];

    public static async Task<MemorySection> RunAsync(BenchOptions options)
    {
        bool quick = options.Quick;
        Kind[] kinds =
        [
            new("idle", "idle connection, no compression (gateway with Compression=true)", CompressionOn, null, quick ? 500 : 2_000, quick ? 2_000 : 8_000),
            new("idle-deflate", "idle connection, permessage-deflate, server_no_context_takeover (default)", CompressionOn, GatewayClient.DeflateOffer, quick ? 500 : 2_000, quick ? 2_000 : 8_000),
            new("idle-deflate-context", "idle connection, permessage-deflate, context kept (CompressionKeepsContext=true)", [.. CompressionOn, "--Sockets:CompressionKeepsContext=true"], "permessage-deflate; client_no_context_takeover", quick ? 200 : 500, quick ? 800 : 2_000),
            new("streaming", I($"streaming turn waiting for Letta: {LettaPace} delta of 16 chars a second, client reading"), [], null, quick ? 50 : 200, quick ? 200 : 800, 16, 3_600, Paced: true, LettaPace: LettaPace),
            Turn("paced", DeltaChars, 32, paced: true, quick ? 10 : 25, quick ? 40 : 100),
            Turn("paced", SmallDeltaChars, 1_024, paced: true, quick ? 10 : 25, quick ? 40 : 100),
            Turn("slow-reader", DeltaChars, 128, paced: false, quick ? 10 : 20, quick ? 40 : 80),
            Turn("slow-reader", SmallDeltaChars, 2_048, paced: false, quick ? 10 : 20, quick ? 40 : 80),
        ];
        if (options.MemoryKinds.Count > 0)
        {
            kinds = [.. kinds.Where(k => options.MemoryKinds.Contains(k.Name))];
        }

        var section = new MemorySection
        {
            MeasuredAt = DateTimeOffset.UtcNow,
            DeltaChars = DeltaChars,
            PacedCharsPerSecond = PacedRate,
            MaxPacedBytes = MaxPacedBytes,
            MaxQueuedBytes = MaxQueuedBytes,
        };
        for (int run = 0; run < options.Runs; run++)
        {
            foreach (Kind kind in kinds)
            {
                using BenchStack stack = await BenchStack.StartAsync(options, GatewayTrace.GatewayEnvironment(options), kind.GatewayArguments).ConfigureAwait(false);
                MemoryRun result = await MeasureAsync(stack, kind).ConfigureAwait(false);
                stack.EnsureAlive();
                section.Runs.Add(result);
                Print(run, result);
            }
        }

        return section;
    }

    private static void Print(int run, MemoryRun r) =>
        Console.WriteLine(I($"  memory {r.Kind,-21} run {run + 1}: RSS {Mib(r.BaselineRssBytes):F1} → {Mib(r.SmallRssBytes):F1} ({r.SmallCount}) → {Mib(r.LargeRssBytes):F1} MiB ({r.LargeCount}); per unit cold {r.ColdSmallKiB:F1} / {r.ColdLargeKiB:F1} KiB, slope {r.SlopeKiB:F1} KiB; after close {Mib(r.AfterCloseRssBytes):F1} MiB; warm {r.WarmKiB:F1} KiB; kernel TCP {r.KernelTcpKiB:F0} KiB/unit; live heap {r.LiveKiB:F1} KiB/unit; active {r.Active}/{r.LargeCount}{(r.Extensions is null ? "" : $", extensions '{r.Extensions}'")}; settled in {r.SettleSecondsMax:F1} s"));

    private static async Task<MemoryRun> MeasureAsync(BenchStack stack, Kind kind)
    {
        using var deadline = new CancellationTokenSource(TimeSpan.FromMinutes(3));
        CancellationToken token = deadline.Token;
        int pid = stack.Gateway.Pid;
        await WarmUpAsync(stack, kind, token).ConfigureAwait(false);
        await Task.Delay(1000, token).ConfigureAwait(false);
        await Http.DeleteAsync(new Uri(stack.SimulatorUrl, "_sim/journal"), token).ConfigureAwait(false);

        // Cold: the first time this process holds that many.
        await using Units units = new(stack.GatewayEndPoint, kind);
        await units.PrepareAsync(kind.Large, token).ConfigureAwait(false);
        double settleMax = await SettleAsync(pid, kind, token).ConfigureAwait(false);
        long baseline = ProcStats.RssBytes(pid);
        long tcpBaseline = ProcStats.KernelTcpBytes();

        await units.StartAsync(kind.Small, token).ConfigureAwait(false);
        settleMax = Math.Max(settleMax, await SettleAsync(pid, kind, token).ConfigureAwait(false));
        long small = ProcStats.RssBytes(pid);

        await units.StartAsync(kind.Large, token).ConfigureAwait(false);
        settleMax = Math.Max(settleMax, await SettleAsync(pid, kind, token).ConfigureAwait(false));
        long large = ProcStats.RssBytes(pid);
        long tcpLarge = ProcStats.KernelTcpBytes();
        int active = units.Active;
        if (kind.Turns)
        {
            // A turn the gateway ended early (a stall timeout, an error) shows as Letta's cancel call.
            active = Math.Min(active, units.Started - await CancelledRunsAsync(stack, token).ConfigureAwait(false));
        }

        int failed = units.Failed;
        string? extensions = units.Extensions;
        string? firstError = units.FirstError;
        stack.EnsureAlive();
        await units.DisposeAsync().ConfigureAwait(false);
        await Task.Delay(3000, token).ConfigureAwait(false);
        long afterClose = ProcStats.RssBytes(pid);

        // Warm: the same number again, in a process that already held them once.
        long warmBaseline, warm;
        await using (Units again = new(stack.GatewayEndPoint, kind))
        {
            await again.PrepareAsync(kind.Large, token).ConfigureAwait(false);
            await SettleAsync(pid, kind, token).ConfigureAwait(false);
            warmBaseline = ProcStats.RssBytes(pid);
            await again.StartAsync(kind.Large, token).ConfigureAwait(false);
            await SettleAsync(pid, kind, token).ConfigureAwait(false);
            warm = ProcStats.RssBytes(pid);
            stack.EnsureAlive();
        }

        // Live heap, last: the same number once more, read after full collections the bench forces (they
        // would disturb the RSS readings above, so none happens before them).
        await Task.Delay(3000, token).ConfigureAwait(false);
        await using Units live = new(stack.GatewayEndPoint, kind);
        await live.PrepareAsync(kind.Large, token).ConfigureAwait(false);
        await SettleAsync(pid, kind, token).ConfigureAwait(false);
        long liveBaseline = await ManagedHeap.LiveBytesAfterFullCollectionAsync(pid, token).ConfigureAwait(false);
        await live.StartAsync(kind.Large, token).ConfigureAwait(false);
        await SettleAsync(pid, kind, token).ConfigureAwait(false);
        long liveLarge = await ManagedHeap.LiveBytesAfterFullCollectionAsync(pid, token).ConfigureAwait(false);
        stack.EnsureAlive();

        return new MemoryRun(
            kind.Name,
            kind.Description,
            kind.Small,
            kind.Large,
            baseline,
            small,
            large,
            (small - baseline) / 1024.0 / kind.Small,
            (large - baseline) / 1024.0 / kind.Large,
            (large - small) / 1024.0 / (kind.Large - kind.Small),
            afterClose,
            warmBaseline,
            warm,
            (warm - warmBaseline) / 1024.0 / kind.Large,
            (tcpLarge - tcpBaseline) / 1024.0 / kind.Large,
            active,
            failed,
            firstError,
            extensions,
            settleMax,
            kind.DeltaChars,
            kind.Deltas,
            (liveLarge - liveBaseline) / 1024.0 / kind.Large);
    }

    /// <summary>A warm turn (so the turn path is compiled), a few hundred connects, then a few units of the kind itself.</summary>
    private static async Task WarmUpAsync(BenchStack stack, Kind kind, CancellationToken cancellationToken)
    {
        WsConnection connection = await GatewayClient.OpenAsync(stack.GatewayEndPoint, null, ReceiveBuffer, cancellationToken).ConfigureAwait(false);
        await GatewayClient.RunTurnAsync(connection, "warm", "bench n=200 pace=0", null, 0, cancellationToken).ConfigureAwait(false);
        await GatewayClient.CloseAllAsync([connection]).ConfigureAwait(false);
        await using (IdleConnections idle = await IdleConnections.OpenAsync(stack.GatewayEndPoint, 300, 2, 8, ConnectTimeout, kind.Extensions, cancellationToken).ConfigureAwait(false))
        {
        }

        if (kind.Turns)
        {
            await using Units units = new(stack.GatewayEndPoint, kind);
            await units.PrepareAsync(4, cancellationToken).ConfigureAwait(false);
            await units.StartAsync(4, cancellationToken).ConfigureAwait(false);
            await Task.Delay(3000, cancellationToken).ConfigureAwait(false);
        }
    }

    /// <summary>
    /// Waits until the gateway's RSS stopped moving: at least 2 s, then until it moved by at most
    /// 1 MiB (or 1 %) over the last 1.5 s; at most 8 s (slow readers must be measured long before the
    /// stall timeout closes them). Returns the seconds waited.
    /// </summary>
    private static async Task<double> SettleAsync(int pid, Kind kind, CancellationToken cancellationToken)
    {
        TimeSpan max = TimeSpan.FromSeconds(kind.Turns ? 8 : 6);
        var clock = Stopwatch.StartNew();
        var samples = new Queue<(double At, long Rss)>();
        while (clock.Elapsed < max)
        {
            await Task.Delay(250, cancellationToken).ConfigureAwait(false);
            long rss = ProcStats.RssBytes(pid);
            double now = clock.Elapsed.TotalSeconds;
            samples.Enqueue((now, rss));
            while (samples.Peek().At < now - 1.5)
            {
                samples.Dequeue();
            }

            long spread = samples.Max(s => s.Rss) - samples.Min(s => s.Rss);
            if (now >= 2 && samples.Peek().At <= now - 1.2 && spread <= Math.Max(1 << 20, rss / 100))
            {
                break;
            }
        }

        return clock.Elapsed.TotalSeconds;
    }

    /// <summary>Runs the simulator was asked to cancel since its journal was cleared.</summary>
    private static async Task<int> CancelledRunsAsync(BenchStack stack, CancellationToken cancellationToken)
    {
        using JsonDocument journal = JsonDocument.Parse(await Http.GetStringAsync(new Uri(stack.SimulatorUrl, "_sim/journal"), cancellationToken).ConfigureAwait(false));
        var runs = new HashSet<string>(StringComparer.Ordinal);
        foreach (JsonElement cancel in journal.RootElement.GetProperty("cancels").EnumerateArray())
        {
            foreach (JsonElement runId in cancel.GetProperty("target_run_ids").EnumerateArray())
            {
                runs.Add(runId.GetString()!);
            }
        }

        return runs.Count;
    }

    private static double Mib(long bytes) => bytes / 1048576.0;

    private static string I(FormattableString s) => s.ToString(CultureInfo.InvariantCulture);

    /// <summary>A turn kind. Its stream (<paramref name="deltas"/> × <paramref name="chars"/>, 2 MiB or more) is
    /// larger than what the gateway may hold plus what the kernel buffers on the way (a socket's send
    /// buffer autotunes up to 4 MiB here), so the turn is still streaming, or held back, when measured.</summary>
    private static Kind Turn(string name, int chars, int deltas, bool paced, int small, int large) =>
        new(I($"{name}-{chars / 1024}k"),
            paced
                ? I($"paced turn, {PacedRate} chars/s, {deltas:N0} deltas of {chars / 1024} Ki chars, client reading")
                : I($"slow reader: unpaced turn, {deltas:N0} deltas of {chars / 1024} Ki chars, client stopped reading"),
            [], null, small, large, chars, deltas, paced);

    /// <summary>A kind of unit. <paramref name="Paced"/>: the client reads everything; with <paramref name="LettaPace"/>
    /// Letta sends that many deltas a second and the gateway does not pace, otherwise the gateway paces the turn.</summary>
    private sealed record Kind(string Name, string Description, string[] GatewayArguments, string? Extensions, int Small, int Large, int DeltaChars = 0, int Deltas = 0, bool Paced = false, int LettaPace = 0)
    {
        public bool Turns => Deltas > 0;
    }

    /// <summary>
    /// The units of one measurement. Idle kinds: <see cref="StartAsync"/> opens idle connections up to a
    /// total. Turn kinds: <see cref="PrepareAsync"/> opens all connections first (they are idle in the
    /// baseline), and <see cref="StartAsync"/> starts turns on them up to a total.
    /// </summary>
    private sealed class Units(IPEndPoint gateway, Kind kind) : IAsyncDisposable
    {
        private readonly List<IdleConnections> _idle = [];
        private readonly List<WsConnection> _connections = [];
        private readonly List<Task> _readers = [];
        private readonly CancellationTokenSource _stop = new();
        private int _started;
        private int _streaming;
        private int _ended;

        public int Failed { get; private set; }

        public string? FirstError { get; private set; }

        public string? Extensions { get; private set; }

        /// <summary>Turns started (turn kinds).</summary>
        public int Started => _started;

        /// <summary>Idle: connections held (compressed kinds: those that negotiated deflate and got a compressed
        /// <c>ready</c>). Paced: turns that received text and had not ended. Slow readers: turns started
        /// (the scenario subtracts those Letta was asked to cancel).</summary>
        public int Active => kind.Turns
            ? kind.Paced ? Volatile.Read(ref _streaming) - Volatile.Read(ref _ended) : _started
            : kind.Extensions is null ? _idle.Sum(i => i.Held - i.Closed) : _idle.Sum(i => i.Compressed);

        public async Task PrepareAsync(int count, CancellationToken cancellationToken)
        {
            if (!kind.Turns)
            {
                return;
            }

            int socketBuffer = kind.Paced ? 0 : SlowReaderSocketBuffer;
            var opened = new WsConnection?[count];
            await Parallel.ForAsync(0, count, new ParallelOptions { MaxDegreeOfParallelism = 16, CancellationToken = cancellationToken }, async (i, ct) =>
            {
                try
                {
                    opened[i] = await GatewayClient.OpenAsync(gateway, null, ReceiveBuffer, null, socketBuffer, ct).ConfigureAwait(false);
                }
                catch (Exception e) when (e is not OperationCanceledException || !ct.IsCancellationRequested)
                {
                    lock (_connections)
                    {
                        Failed++;
                        FirstError ??= $"{e.GetType().Name}: {e.Message}";
                    }
                }
            }).ConfigureAwait(false);
            _connections.AddRange(opened.OfType<WsConnection>());
        }

        public async Task StartAsync(int total, CancellationToken cancellationToken)
        {
            if (!kind.Turns)
            {
                int held = _idle.Sum(i => i.Held + i.Failed);
                IdleConnections more = await IdleConnections.OpenAsync(gateway, total - held, 2, 8, ConnectTimeout, kind.Extensions, cancellationToken).ConfigureAwait(false);
                _idle.Add(more);
                Failed += more.Failed;
                FirstError ??= more.FirstError;
                Extensions ??= more.Extensions;
                return;
            }

            string content = I($"bench n={kind.Deltas} pace={kind.LettaPace} size={kind.DeltaChars}");
            string frame = kind.Paced && kind.LettaPace == 0
                ? I($$"""{"type":"message","id":"m","content":"{{content}}","max_chars_per_second":{{PacedRate}}}""")
                : GatewayClient.MessageFrame("m", content);
            for (; _started < Math.Min(total, _connections.Count); _started++)
            {
                WsConnection connection = _connections[_started];
                await connection.SendTextAsync(frame, cancellationToken).ConfigureAwait(false);
                if (kind.Paced)
                {
                    _readers.Add(ReadPacedAsync(connection));
                }
            }
        }

        public async ValueTask DisposeAsync()
        {
            if (_stop.IsCancellationRequested)
            {
                return;
            }

            await _stop.CancelAsync().ConfigureAwait(false);
            foreach (IdleConnections idle in _idle)
            {
                await idle.DisposeAsync().ConfigureAwait(false);
            }

            await GatewayClient.CloseAllAsync(_connections).ConfigureAwait(false);
            try
            {
                await Task.WhenAll(_readers).WaitAsync(TimeSpan.FromSeconds(10)).ConfigureAwait(false);
            }
            catch (TimeoutException)
            {
            }

            _stop.Dispose();
        }

        /// <summary>Reads a paced turn to its end: text frames count it as streaming, a terminal frame as ended.</summary>
        private async Task ReadPacedAsync(WsConnection connection)
        {
            await Task.Yield();
            bool streaming = false;
            try
            {
                while (true)
                {
                    WsFrame frame = await connection.ReceiveAsync(_stop.Token).ConfigureAwait(false);
                    FrameType type = frame.IsClose ? FrameType.Done : GatewayFrames.TypeOf(frame.Payload.Span);
                    if (type == FrameType.Chunk && !streaming)
                    {
                        streaming = true;
                        Interlocked.Increment(ref _streaming);
                    }
                    else if (type is FrameType.Done or FrameType.Error)
                    {
                        if (!_stop.IsCancellationRequested && streaming)
                        {
                            Interlocked.Increment(ref _ended);
                        }

                        return;
                    }
                }
            }
            catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException or System.Net.Sockets.SocketException or InvalidDataException)
            {
            }
        }
    }
}
