using LettaSockets.Protocol.Json;
using LettaSockets.Simulator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LettaSockets.Server.Tests.Reliability.Fuzz;

/// <summary>
/// The fuzzers' world on the embedded simulator: scripted agents with token delays (one whose every
/// stream breaks with an in-stream error), resumable turns on, and the simulator's journal as the
/// record of what reached Letta.
/// </summary>
public sealed class SimulatorFuzzWorld : FuzzWorld
{
    private static readonly HashSet<string> s_failureCodes = ["agent_error"];

    private SimulatorFuzzWorld(TestGateway gateway, string[] agents, LogCapture logs)
        : base(gateway, agents, logs)
    {
    }

    public LettaSimulator Simulator => Gateway.Simulator;

    public override bool Resumable => true;

    public override IReadOnlySet<string> FailureCodes => s_failureCodes;

    public static async Task<SimulatorFuzzWorld> StartAsync()
    {
        // Letta-shaped ids (the simulator accepts no other): slow, tools, failing, approver, foreign.
        string[] agents = Enumerable.Range(0, FuzzGenerators.Agents + 1).Select(_ => $"agent-{Guid.NewGuid()}").ToArray();
        Dictionary<string, string?> settings = Settings(agents);
        settings["Letta:ResumableTurns"] = "true";
        settings["Logging:LogLevel:LettaSockets.Server.Letta"] = "Debug";

        var logs = new LogCapture();
        TestGateway gateway = await TestGateway.StartAsync(settings, services: s => s.AddSingleton<ILoggerProvider>(logs));
        LettaSimulator sim = gateway.Simulator;
        TimeSpan token = TimeSpan.FromMilliseconds(4);
        sim.Agents.Add(new SimAgent(agents[0], "Fuzz slow", _ => AgentScript.Create()
            .Reasoning("counting").Say(string.Join(' ', Enumerable.Range(1, 40).Select(i => $"n{i}"))).WithTokenDelay(token)));
        sim.Agents.Add(new SimAgent(agents[1], "Fuzz tools", r => AgentScript.Create()
            .ToolCall("roll_dice", "{\"sides\":6}", $"call-{r.RunId}").ToolReturn("roll_dice", "4", $"call-{r.RunId}").Say("You rolled a four.").WithTokenDelay(token)));
        sim.Agents.Add(new SimAgent(agents[2], "Fuzz failing", _ => AgentScript.Create().Say("this will break part way").WithTokenDelay(token)));
        sim.Agents.Add(new SimAgent(agents[3], "Fuzz approver", r => r.Approvals.Count == 0
            ? AgentScript.Create().RequestApproval("delete_file", "{\"path\":\"/tmp/x\"}", $"call-{r.RunId}").WithTokenDelay(token)
            : AgentScript.Create().Say(r.Approvals[0].Approve ? "Deleted." : "Kept it.").WithTokenDelay(token)));
        sim.Agents.Add(new SimAgent(agents[4], "Fuzz foreign", _ => AgentScript.Create().Say("foreign secret words").WithTokenDelay(token)));

        // The failing agent's every stream carries an in-stream error after a few events.
        sim.Faults.Enqueue(SimFault.ErrorAfterMessages(3).ForAgent(agents[2]).Repeat(int.MaxValue));
        return new SimulatorFuzzWorld(gateway, agents, logs);
    }

    public override string ContentFor(int agent, bool foreign) => "go";

    public override int ForeignInputs() => Simulator.Journal.Messages.Count(m => m.AgentId == ForeignAgent);

    public override int ForeignCancels() =>
        Simulator.Journal.Cancels.Count(c => c.AgentId == ForeignAgent || (c.RunIds?.Contains(ForeignRunId) ?? false));

    /// <summary>A turn that ended as cancelled by the client, once its run id was known, was cancelled in Letta.</summary>
    public override async Task CheckCancelsReachedUpstreamAsync(ServerFrame[] frames, DateTimeOffset[] arrivedAt)
    {
        for (int i = 0; i < frames.Length; i++)
        {
            ServerFrame done = frames[i];
            if (done is not { Type: "done", CancelledBy: "client" } || ProtocolModel.RunIdBefore(frames, i) is not { } runId)
            {
                continue;
            }

            // A run that had already ended in Letta before the cancel's done arrived needs no cancel:
            // the cancel only won the race for the terminal frame (its pump was finishing).
            if (Simulator.Runs.TryGet(runId, out var run) && run.CompletedAt is { } ended && ended <= arrivedAt[i]
                && run.Status != SimRunStatus.Cancelled)
            {
                continue;
            }

            using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
            try
            {
                await Simulator.Journal.WaitForCancelAsync(runId, timeout.Token);
            }
            catch (OperationCanceledException)
            {
                string turn = string.Join("; ", frames.Where(f => f.Id == done.Id).Select(f => $"{f.Type}/{f.Status}{f.Code}"));
                string cancels = string.Join("; ", Simulator.Journal.Cancels.Select(c => $"{c.AgentId}:{string.Join(",", c.RunIds ?? [])}:{c.StatusCode}"));
                Assert.Fail($"{done.Id}: run {runId} was cancelled for the client but never in Letta. Turn: {turn}. Gateway log: {LogLinesNaming(runId)}. Cancels: {cancels.Length} chars");
            }
        }
    }

    /// <summary>The run must be cancelled in Letta — unless it ended by itself first: before the client
    /// left, or in the moment before the gateway noticed (these scripted runs last tens of
    /// milliseconds; SseEndpointTests aborts a long one and requires the cancel).</summary>
    public override async Task CheckAbortedRunStoppedAsync(string runId, DateTimeOffset abortedAt, string request)
    {
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        Task cancelled = Simulator.Journal.WaitForCancelAsync(runId, timeout.Token);
        Task ended = Simulator.Runs.TryGet(runId, out var run) ? run.Completion : cancelled;
        await Task.WhenAny(cancelled, ended.WaitAsync(timeout.Token));
        bool endedByItself = run is { Status: not SimRunStatus.Cancelled, CompletedAt: { } at } && at - abortedAt < StreamFuzz.EndedByItselfGrace;
        if (!endedByItself)
        {
            try
            {
                await cancelled; // a cancelled run is journaled just after it stops
            }
            catch (OperationCanceledException)
            {
                Assert.Fail($"an aborted request's run {runId} was cancelled in Letta (or had ended by itself): {request}");
            }
        }
    }
}
