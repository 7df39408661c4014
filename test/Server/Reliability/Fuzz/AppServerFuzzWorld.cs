using LettaSockets.Protocol.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LettaSockets.Server.Tests.Reliability.Fuzz;

/// <summary>
/// The fuzzers' world on the real Letta Code App Server (<c>letta server</c>) and the tests' fake
/// model. What an agent does is chosen by the fake model's command in the message: agent 0 streams 40
/// words 100 ms apart, 1 reasons then answers, 2 answers at once, 3 asks to run a shell command
/// (approval), 4 is outside the key's scope. No agent fails here: the App Server retries a failing model
/// 16 times over about 35 s before it gives up (measured; AppServerFaultTests covers upstream failures). The App Server has no run ids to cancel
/// by and keeps reading the model after an abort, so "cancelled upstream" is checked as "nothing of the
/// agent still runs": a fresh turn of the agent from another client is not <c>busy</c> (an unaborted
/// slow turn would hold the conversation for seconds). Whatever names an object outside the scope is
/// marked in its text, and the fake model's record of every request shows whether one ever arrived.
/// </summary>
public sealed class AppServerFuzzWorld : FuzzWorld
{
    private const string ForeignMarker = "FOREIGN";

    /// <summary>How long a conversation may stay busy after its last turn ended: the App Server settles
    /// a finished or aborted turn within a few hundred milliseconds; agent 0's unaborted turn takes 4 s.</summary>
    private static readonly TimeSpan s_settle = TimeSpan.FromSeconds(1.5);

    private static readonly HashSet<string> s_failureCodes = [];

    private readonly AppServerStack _stack;
    private int _probes;

    private AppServerFuzzWorld(AppServerStack stack, TestGateway gateway, string[] agents, LogCapture logs)
        : base(gateway, agents, logs) => _stack = stack;

    public override bool Resumable => false;

    public override bool OneTurnPerConversation => true;

    public override IReadOnlySet<string> FailureCodes => s_failureCodes;

    /// <summary>Starts the App Server (the calling class is inconclusive where node or the package is
    /// missing), its five agents, a conversation of the foreign one, and a gateway in front.</summary>
    public static async Task<AppServerFuzzWorld> StartAsync()
    {
        AppServerStack stack = await AppServerStack.StartAsync();
        try
        {
            string[] agents = new string[FuzzGenerators.Agents + 1];
            for (int i = 0; i < agents.Length; i++)
            {
                agents[i] = await stack.Server.CreateAgentAsync($"fuzz-{i}");
            }

            Dictionary<string, string?> settings = Settings(agents);
            foreach ((string key, string? value) in stack.GatewaySettings())
            {
                settings[key] = value;
            }

            settings["Logging:LogLevel:LettaSockets"] = "Debug";
            var logs = new LogCapture();
            TestGateway gateway = await TestGateway.StartAsync(settings, services: s => s.AddSingleton<ILoggerProvider>(logs));
            return new AppServerFuzzWorld(stack, gateway, agents, logs)
            {
                ForeignConversationId = await stack.Server.CreateConversationAsync(agents[FuzzGenerators.ForeignAgent]),
            };
        }
        catch
        {
            await stack.DisposeAsync();
            throw;
        }
    }

    public override string ContentFor(int agent, bool foreign) => (foreign ? ForeignMarker + " " : string.Empty) + agent switch
    {
        0 => "[slow 40]",
        1 => "[reason]",
        2 => "[say quick| answer]",
        3 => "[bash echo fuzz]",
        _ => "[say foreign| secret]",
    };

    /// <summary>Model requests the App Server made so far (one per turn step it ran).</summary>
    public int ModelRequests => _stack.Llm.Requests.Count;

    public override int ForeignInputs() => _stack.Llm.Requests.Count(r => r.UserText.Contains(ForeignMarker, StringComparison.Ordinal));

    /// <summary>The foreign agent never runs while fuzzing, so the App Server has nothing of it to abort;
    /// a stray abort leaves no trace to count (aborts name the conversation, not a run).</summary>
    public override int ForeignCancels() => 0;

    /// <summary>Checked by <see cref="CheckUpstreamIdleAsync"/>: the App Server takes no run id in an abort.</summary>
    public override Task CheckCancelsReachedUpstreamAsync(ServerFrame[] frames, DateTimeOffset[] arrivedAt) => Task.CompletedTask;

    /// <summary>Checked by <see cref="CheckUpstreamIdleAsync"/> after the group.</summary>
    public override Task CheckAbortedRunStoppedAsync(string runId, DateTimeOffset abortedAt, string request) => Task.CompletedTask;

    /// <summary>Every turn of agents 0..2 has ended on the client's side, so within the settle time a new
    /// turn of each from another client runs instead of being <c>busy</c>: nothing cancelled, aborted or
    /// abandoned still runs in the App Server. (Agent 3 may be left waiting for an approval, which is
    /// not a running turn; it is not probed.)</summary>
    public override async Task CheckUpstreamIdleAsync(int[] agents)
    {
        foreach (int agent in agents.Where(a => a is >= 0 and <= 2).Order())
        {
            await using TestClient probe = await Gateway.ConnectAsync(Agents[agent], o => o.SetRequestHeader("Authorization", $"Bearer {FullKey}"));
            DateTimeOffset deadline = DateTimeOffset.UtcNow + s_settle;
            List<ServerFrame> turn;
            while (true)
            {
                string id = $"idle-{Interlocked.Increment(ref _probes)}";
                await probe.SendMessageAsync(id, "[say idle]");
                turn = await probe.ReadTurnAsync(id, TimeSpan.FromSeconds(30));
                if (turn[^1].Code != "busy" || DateTimeOffset.UtcNow >= deadline)
                {
                    break;
                }

                await Task.Delay(TimeSpan.FromMilliseconds(Math.Min(turn[^1].RetryAfterMs ?? 100, 200))); // as a client honouring retry_after_ms, bounded by the deadline
            }

            Assert.AreEqual("done", turn[^1].Type, $"agent {agent}: nothing still runs in the App Server {s_settle.TotalSeconds} s after every turn ended (got {turn[^1].Code}: {turn[^1].Message} {turn[^1].Detail})");
            Assert.AreEqual("idle", TestClient.Text(turn));
        }
    }

    protected override async ValueTask DisposeCoreAsync()
    {
        await base.DisposeCoreAsync();
        await _stack.DisposeAsync();
    }
}
