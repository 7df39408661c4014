using System.Net;
using LettaSockets.Bench.Harness;
using LettaSockets.Bench.Load;
using LettaSockets.Bench.Report;

namespace LettaSockets.Bench.Scenarios;

/// <summary>
/// CPU per turn start (<c>turnstart</c>): what starting and finishing one short turn costs the server, the
/// gateway as shipped against the native bare relay on the same simulator. 32 connections run 4-delta,
/// unpaced turns back to back (so nearly all the work is turn starts and ends) for a warm-up, then for the
/// measured window; the server's user and system CPU and its threads' voluntary context switches are read
/// from /proc around the window and divided by the turns finished. A fresh process's first burst of turn
/// starts pays this cost plus its new upstream connections (docs/BENCHMARKS.md, "Cold start", experiments 42–43).
/// </summary>
internal static class TurnStartCpuScenario
{
    private const int Connections = 32;
    private const string Content = "bench n=4 pace=0 size=16";

    public static async Task<TurnStartCpuSection> RunAsync(BenchOptions options)
    {
        TimeSpan warmup = TimeSpan.FromSeconds(options.Quick ? 2 : 5);
        TimeSpan window = TimeSpan.FromSeconds(options.Quick ? 3 : 10);
        var section = new TurnStartCpuSection { MeasuredAt = DateTimeOffset.UtcNow, Connections = Connections, WindowSeconds = window.TotalSeconds, Content = Content };
        for (int run = 0; run < options.Runs; run++)
        {
            using BenchStack stack = await BenchStack.StartAsync(options, GatewayTrace.GatewayEnvironment(options), jitLog: false).ConfigureAwait(false);
            TurnStartCpu gateway = await MeasureAsync(stack.GatewayEndPoint, stack.Gateway.Pid, stack.Simulator.Pid, warmup, window).ConfigureAwait(false);
            stack.EnsureAlive();
            (ChildProcess relay, IPEndPoint endPoint, _) = await SelfProcess.StartExecutableAsync("native bare relay", Builder.RelayExecutable(options), Builder.RelayArguments(stack.SimulatorUrl)).ConfigureAwait(false);
            using (relay)
            {
                TurnStartCpu bare = await MeasureAsync(endPoint, relay.Pid, stack.Simulator.Pid, warmup, window).ConfigureAwait(false);
                section.Runs.Add(new TurnStartCpuRun(gateway, bare));
                Console.WriteLine(I($"  turn start run {run + 1}: gateway {gateway.UserMicros + gateway.SystemMicros:F1} µs CPU per turn (user {gateway.UserMicros:F1}, system {gateway.SystemMicros:F1}, {gateway.SwitchesPerTurn:F2} switches), {gateway.TurnsPerSecond:N0} turns/s; native bare relay {bare.UserMicros + bare.SystemMicros:F1} µs (user {bare.UserMicros:F1}, system {bare.SystemMicros:F1}, {bare.SwitchesPerTurn:F2}), {bare.TurnsPerSecond:N0} turns/s; errors {gateway.Errors + bare.Errors}"));
            }
        }

        return section;
    }

    private static async Task<TurnStartCpu> MeasureAsync(IPEndPoint server, int serverPid, int simulatorPid, TimeSpan warmup, TimeSpan window)
    {
        using var deadline = new CancellationTokenSource(warmup + window + TimeSpan.FromMinutes(1));
        IReadOnlyList<WsConnection> connections = await GatewayClient.OpenManyAsync(server, Connections, 16 * 1024, deadline.Token).ConfigureAwait(false);
        try
        {
            await ChurnCommand.ChurnAsync(connections, warmup, Content, deadline.Token).ConfigureAwait(false);
            (TimeSpan user0, TimeSpan system0) = ProcStats.CpuSplit(serverPid);
            long switches0 = ProcStats.VoluntarySwitches(serverPid);
            TimeSpan simulator0 = ProcStats.Cpu(simulatorPid);
            (long turns, long errors, double seconds) = await ChurnCommand.ChurnAsync(connections, window, Content, deadline.Token).ConfigureAwait(false);
            (TimeSpan user1, TimeSpan system1) = ProcStats.CpuSplit(serverPid);
            long switches1 = ProcStats.VoluntarySwitches(serverPid);
            TimeSpan simulator1 = ProcStats.Cpu(simulatorPid);
            double perTurn = turns == 0 ? double.NaN : 1e6 / turns;
            return new TurnStartCpu(
                turns,
                errors,
                turns / seconds,
                (user1 - user0).TotalSeconds * perTurn,
                (system1 - system0).TotalSeconds * perTurn,
                turns == 0 ? double.NaN : (switches1 - switches0) / (double)turns,
                (simulator1 - simulator0).TotalSeconds * perTurn);
        }
        finally
        {
            await GatewayClient.CloseAllAsync(connections).ConfigureAwait(false);
        }
    }

    private static string I(FormattableString s) => s.ToString(System.Globalization.CultureInfo.InvariantCulture);
}
