using System.Text;

namespace LettaSockets.Bench.Report;

/// <summary>Issue 16's tables and goal rows: cold start, turn-start overhead, idle CPU at two counts.</summary>
internal static partial class DocWriter
{
    private static IEnumerable<ColdRun> Build(ColdSection c, string build) => c.Runs.Where(x => (x.Build ?? "jit") == build);

    private static void WriteColdGoals(StringBuilder md, ColdSection? c)
    {
        if (c is null)
        {
            return;
        }

        string window = I($"first {c.WindowSeconds:0} s of a fresh process");
        List<ColdRun> native = [.. Build(c, "native")];
        if (native.Count > 0)
        {
            Stat share = Stat.Of(native.Select(x => x.ColdChunksPerSecond / x.WarmChunksPerSecond));
            Stat cpu = Stat.Of(native.Select(x => x.ColdCpuSecondsPerMillion));
            Stat ready = Stat.Of(native.Select(x => x.ReadySeconds * 1000));
            md.AppendLine(Row(I($"Cold: throughput, {window}, vs the same process warmed"), I($"≥ {Goals.Cold.ThroughputShareOfWarm:P0}"), share.Format("P0") + I($" (start → `/readyz` {ready.Format("N0", " ms")})"), "–", share.Median >= Goals.Cold.ThroughputShareOfWarm));
            md.AppendLine(Row(I($"Cold: gateway CPU per million deltas, {window}"), I($"≤ {Goals.Cold.CpuSecondsPerMillion} s"), cpu.Format("F2", " s"), "–", cpu.Median <= Goals.Cold.CpuSecondsPerMillion));
            Stat first = Stat.Of(native.Select(x => FirstTurnAdded(x.FirstTurn!)));
            md.AppendLine(Row("Cold: the first turn's added time to first token (both legs, gateway − direct)", I($"≤ {Goals.Cold.FirstTurnAddedMs} ms"), first.Format("F2", " ms"), "–", first.Median <= Goals.Cold.FirstTurnAddedMs));
            Stat request = Stat.Of(native.Select(x => x.WarmTurnStart!.RequestP99Ms - x.WarmTurnStart.DirectRequestP99Ms));
            Stat chunk = Stat.Of(native.Select(x => x.WarmTurnStart!.FirstChunkP99Ms - x.WarmTurnStart.DirectFirstChunkP99Ms));
            List<TurnStartRun> relayStarts = [.. c.Latency.Where(x => x.Build == "native" && x.RelayWarmTurnStart is not null).Select(x => x.RelayWarmTurnStart!)];
            string RelayFloor(Func<TurnStartRun, double> added) => relayStarts.Count == 0 ? "" : I($" (a warm native bare relay: {Stat.Of(relayStarts.Select(added)).Format("F2", " ms")})");
            md.AppendLine(Row("Warm: turn start, `message` frame → Letta has the request, added p99", I($"≤ {Goals.TurnStartLegAddedP99Ms} ms"), request.Format("F2", " ms") + RelayFloor(t => t.RequestP99Ms - t.DirectRequestP99Ms), "–", request.Median <= Goals.TurnStartLegAddedP99Ms));
            md.AppendLine(Row("Warm: turn start, Letta's first event → the client's first `chunk`, added p99", I($"≤ {Goals.TurnStartLegAddedP99Ms} ms"), chunk.Format("F2", " ms") + RelayFloor(t => t.FirstChunkP99Ms - t.DirectFirstChunkP99Ms), "–", chunk.Median <= Goals.TurnStartLegAddedP99Ms));
        }

        List<ColdLatencyRun> latency = [.. c.Latency.Where(x => x.Build == "native")];
        if (latency.Count > 0)
        {
            Stat added = Stat.Of(latency.Select(x => x.ColdP99Ms - x.DirectP99Ms));
            List<ColdLatencyRun> relay = [.. latency.Where(x => x.RelayColdP99Ms is not null)];
            string floor = relay.Count == 0 ? "" : I($" (a fresh native bare relay: {Stat.Of(relay.Select(x => x.RelayColdP99Ms!.Value - x.RelayDirectP99Ms!.Value)).Format("F2", " ms")})");
            md.AppendLine(Row(I($"Cold: added p99 latency at {latency[0].Turns} turns × 20/s, {window}"), I($"≤ {Goals.Cold.AddedP99At256Ms} ms"), added.Format("F2", " ms") + floor, "–", added.Median <= Goals.Cold.AddedP99At256Ms));
        }

        List<ColdCancelRun> cancel = [.. c.Cancel.Where(x => x.Build == "native")];
        if (cancel.Count > 0)
        {
            Stat cold = Stat.Of(cancel.Select(x => x.ColdDoneP99Ms));
            Stat warm = Stat.Of(cancel.Select(x => x.WarmDoneP99Ms));
            List<ColdCancelRun> pinged = [.. cancel.Where(x => x.WarmPongP99Ms is not null)];
            string PongFloor(Func<ColdCancelRun, double> pick) => pinged.Count == 0 ? "" : I($" (ping → `pong` on the same connections: {Stat.Of(pinged.Select(pick)).Format("F2", " ms")})");
            md.AppendLine(Row(I($"Cold: cancel → `done` p99, {window} ({cancel.Min(x => x.ColdCancels):N0}+ cancels)"), I($"≤ {Goals.Cold.CancelToDoneP99Ms} ms"), cold.Format("F2", " ms") + PongFloor(x => x.ColdPongP99Ms!.Value), "no cancel", cold.Median <= Goals.Cold.CancelToDoneP99Ms));
            md.AppendLine(Row(I($"Warm: cancel → `done` p99 over ≥ {Goals.WarmCancelSamples} cancels ({cancel.Min(x => x.WarmCancels):N0}+ per run)"), I($"≤ {Goals.WarmCancelToDoneP99Ms} ms"), warm.Format("F2", " ms") + PongFloor(x => x.WarmPongP99Ms!.Value), "no cancel", warm.Median <= Goals.WarmCancelToDoneP99Ms && cancel.All(x => x.WarmCancels >= Goals.WarmCancelSamples)));
        }
    }

    private static double FirstTurnAdded(TurnStartRun t) =>
        (t.RequestP50Ms - t.DirectRequestP50Ms) + (t.FirstChunkP50Ms - t.DirectFirstChunkP50Ms);

    private static void WriteIdleCpuGoal(StringBuilder md, DensitySection d)
    {
        static double PerThousand(DensityRun x) => x.IdleCpuPercent / 100 / (x.Held / 1000.0);
        if (d.Small.Count == 0)
        {
            return;
        }

        Stat small = Stat.Of(d.Small.Select(PerThousand));
        Stat large = Stat.Of(d.Runs.Select(PerThousand));
        md.AppendLine(Row(I($"Idle CPU per 1,000 idle connections, at {d.SmallConnections:N0} and at {d.Connections:N0}"), I($"≤ {Goals.IdleCoresPerThousand} cores at both"), small.Format("F4", " cores") + " / " + large.Format("F4", " cores"), "–", small.Median <= Goals.IdleCoresPerThousand && large.Median <= Goals.IdleCoresPerThousand));
    }

    private static void WriteCold(StringBuilder md, ColdSection? c)
    {
        if (c is null || c.Runs.Count == 0 && c.Latency.Count == 0 && c.Cancel.Count == 0)
        {
            return;
        }

        md.AppendLine(I($"### Cold start: a fresh gateway process against the same process warmed (measured {c.MeasuredAt:yyyy-MM-dd})"));
        md.AppendLine();
        md.AppendLine(I($"Every measurement starts a new simulator and gateway (no JIT logging), times the gateway from process start to its first `/readyz` 200 and warms the simulator (not the gateway) with 15 s of load read directly. *Native* is what `dotnet publish src/Server` ships (Native AOT); *JIT* is the framework-dependent build `dotnet run` uses. *First window*: the process's first {c.WindowSeconds:0} s of the load; *warmed*: the same load on the same process after 30 s more of the throughput load. Median of the runs (min–max)."));
        md.AppendLine();
        if (c.Runs.Count > 0)
        {
            md.AppendLine("Throughput load (16 connections, 2,000-delta turns back to back):");
            md.AppendLine();
            md.AppendLine("| Build | start → `/readyz` | deltas/s, first window | CPU-s per M, first window | deltas/s, warmed | CPU-s per M, warmed | first window vs warmed |");
            md.AppendLine("|---|---|---|---|---|---|---|");
            foreach (string build in new[] { "native", "jit" })
            {
                List<ColdRun> runs = [.. Build(c, build)];
                if (runs.Count > 0)
                {
                    md.AppendLine(I($"| {(build == "native" ? "native (shipped)" : "JIT")} | {Stat.Of(runs.Select(x => x.ReadySeconds * 1000)).Format("N0", " ms")} | {Stat.Of(runs.Select(x => x.ColdChunksPerSecond)).Format("N0")} | {Stat.Of(runs.Select(x => x.ColdCpuSecondsPerMillion)).Format("F2")} | {Stat.Of(runs.Select(x => x.WarmChunksPerSecond)).Format("N0")} | {Stat.Of(runs.Select(x => x.WarmCpuSecondsPerMillion)).Format("F2")} | {Stat.Of(runs.Select(x => 100 * x.ColdChunksPerSecond / x.WarmChunksPerSecond)).Format("F0", " %")} |"));
                }
            }

            md.AppendLine();
            WriteTurnStart(md, c);
        }

        if (c.Latency.Count > 0 || c.Cancel.Count > 0)
        {
            md.AppendLine("Latency and cancel on a fresh process (native):");
            md.AppendLine();
            md.AppendLine("| Load | first window | warmed | direct floor |");
            md.AppendLine("|---|---|---|---|");
            if (c.Latency.Count > 0)
            {
                md.AppendLine(I($"| per-delta latency p99, {c.Latency[0].Turns} turns × 20/s | {Stat.Of(c.Latency.Select(x => x.ColdP99Ms)).Format("F2", " ms")} | {Stat.Of(c.Latency.Select(x => x.WarmP99Ms)).Format("F2", " ms")} | {Stat.Of(c.Latency.Select(x => x.DirectP99Ms)).Format("F2", " ms")} |"));
                List<ColdLatencyRun> relay = [.. c.Latency.Where(x => x.RelayColdP99Ms is not null)];
                if (relay.Count > 0)
                {
                    md.AppendLine(I($"| … the same through a fresh bare relay published natively (`bench/BareRelay`), started after the gateway's windows | {Stat.Of(relay.Select(x => x.RelayColdP99Ms!.Value)).Format("F2", " ms")} | {Stat.Of(relay.Select(x => x.RelayWarmP99Ms!.Value)).Format("F2", " ms")} | {Stat.Of(relay.Select(x => x.RelayDirectP99Ms!.Value)).Format("F2", " ms")} |"));
                }
            }

            if (c.Cancel.Count > 0)
            {
                md.AppendLine(I($"| cancel → `done` p99, rounds of 100 cancels ({c.Cancel.Min(x => x.ColdCancels):N0}+ / {c.Cancel.Min(x => x.WarmCancels):N0}+ cancels per run) | {Stat.Of(c.Cancel.Select(x => x.ColdDoneP99Ms)).Format("F2", " ms")} | {Stat.Of(c.Cancel.Select(x => x.WarmDoneP99Ms)).Format("F2", " ms")} | – |"));
                List<ColdCancelRun> pinged = [.. c.Cancel.Where(x => x.WarmPongP99Ms is not null)];
                if (pinged.Count > 0)
                {
                    md.AppendLine(I($"| … its floor: `ping` → `pong` p99 on the same connections, halfway to each cancel | {Stat.Of(pinged.Select(x => x.ColdPongP99Ms!.Value)).Format("F2", " ms")} | {Stat.Of(pinged.Select(x => x.WarmPongP99Ms!.Value)).Format("F2", " ms")} | – |"));
                }
            }

            md.AppendLine();
        }
    }

    private static void WriteTurnStart(StringBuilder md, ColdSection c)
    {
        md.AppendLine("Turn-start overhead, the gateway's part of time to first token. *Request*: the client's `message` frame sent → the simulator's handler has Letta's messages request; *first chunk*: the simulator stamps its first content event → the client has the first `chunk` frame (one clock: CLOCK_MONOTONIC in every process). *Direct*: the same two legs without a gateway (the load generator's own HTTP request and SSE read). The first turn of each fresh process is one sample (p50 = p99); warmed, the number of turns the table gives, one after another (1,000 since 2026-12-06: their p99 is the 10th-slowest turn; with the 200 before it was the 3rd-slowest, which three turns meeting a pause of the shared cores could set). From experiment 62 on (session 15) a direct turn follows each warmed turn through the gateway or the relay, so the direct legs are read under the same conditions; before, they ran after all of them, and a moment when another process held a core (the simulator's background collection, in experiment 61) fell on the gateway's turns alone.");
        md.AppendLine();
        md.AppendLine("| Build | turn | request p50 / p99 | direct | first chunk p50 / p99 | direct |");
        md.AppendLine("|---|---|---|---|---|---|");
        foreach (string build in new[] { "native", "jit" })
        {
            List<ColdRun> runs = [.. Build(c, build).Where(x => x.FirstTurn is not null && x.WarmTurnStart is not null)];
            if (runs.Count == 0)
            {
                continue;
            }

            string name = build == "native" ? "native (shipped)" : "JIT";
            foreach ((string turn, Func<ColdRun, TurnStartRun> pick) in new (string, Func<ColdRun, TurnStartRun>)[] { ("first of a fresh process", x => x.FirstTurn!), (I($"warmed, {runs[0].WarmTurnStart!.Turns:N0} turns"), x => x.WarmTurnStart!) })
            {
                TurnStartRow(md, name, turn, [.. runs.Select(pick)]);
            }
        }

        List<TurnStartRun> relay = [.. c.Latency.Where(x => x.RelayWarmTurnStart is not null).Select(x => x.RelayWarmTurnStart!)];
        if (relay.Count > 0)
        {
            TurnStartRow(md, "bare relay (native; the floor)", I($"warmed, {relay[0].Turns:N0} turns (after its latency windows)"), relay);
        }

        md.AppendLine();
    }

    private static void TurnStartRow(StringBuilder md, string server, string turn, List<TurnStartRun> t) =>
        md.AppendLine(I($"| {server} | {turn} | {Stat.Of(t.Select(x => x.RequestP50Ms)).Format("F2")} / {Stat.Of(t.Select(x => x.RequestP99Ms)).Format("F2", " ms")} | {Stat.Of(t.Select(x => x.DirectRequestP50Ms)).Format("F2")} / {Stat.Of(t.Select(x => x.DirectRequestP99Ms)).Format("F2", " ms")} | {Stat.Of(t.Select(x => x.FirstChunkP50Ms)).Format("F2")} / {Stat.Of(t.Select(x => x.FirstChunkP99Ms)).Format("F2", " ms")} | {Stat.Of(t.Select(x => x.DirectFirstChunkP50Ms)).Format("F2")} / {Stat.Of(t.Select(x => x.DirectFirstChunkP99Ms)).Format("F2", " ms")} |"));
}
