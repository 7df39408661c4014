using LettaSockets.Simulator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LettaSockets.Server.Tests.Reliability.Fuzz;

/// <summary>
/// What every generated sequence runs against: one gateway on loopback with its simulator, four
/// scripted agents the client's key may use (slow, tools, failing mid-stream, asking approval) and one
/// it may not, with a finished background run of that foreign agent whose id the fuzzer can name.
/// </summary>
public sealed class FuzzWorld : IAsyncDisposable
{
    public const string ScopedKey = "fuzz-scoped-0123456789abcdef";
    public const string FullKey = "fuzz-full-0123456789abcdef";
    public const int MaxFrameBytes = 8 * 1024;
    public const int MaxContentChars = 2_000;

    private FuzzWorld(TestGateway gateway, string[] agents, LogCapture logs)
    {
        Gateway = gateway;
        Agents = agents;
        Logs = logs;
    }

    /// <summary>The gateway's log, with the upstream client at Debug: what a failure report quotes.</summary>
    public LogCapture Logs { get; }

    public TestGateway Gateway { get; }

    /// <summary>Indexes 0..3: the key's agents; index 4: the foreign agent.</summary>
    public string[] Agents { get; }

    public string ForeignAgent => Agents[FuzzGenerators.ForeignAgent];

    /// <summary>A background run of the foreign agent (set up once, with the unscoped key).</summary>
    public string? ForeignRunId { get; set; }

    /// <summary>A conversation of the foreign agent, when the simulator has conversations.</summary>
    public string? ForeignConversationId { get; set; }

    public static async Task<FuzzWorld> StartAsync(IDictionary<string, string?>? extra = null)
    {
        // Letta-shaped ids (the simulator accepts no other): slow, tools, failing, approver, foreign.
        string[] agents = Enumerable.Range(0, FuzzGenerators.Agents + 1).Select(_ => $"agent-{Guid.NewGuid()}").ToArray();
        var settings = new Dictionary<string, string?>
        {
            ["Auth:ApiKeys:0:Key"] = ScopedKey,
            ["Auth:ApiKeys:1:Key"] = FullKey,
            ["Limits:MessagesPerMinute"] = "1000000",
            ["Limits:MessageBurst"] = "1000000",
            ["Sockets:MaxFrameBytes"] = MaxFrameBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Sockets:MaxContentChars"] = MaxContentChars.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Letta:ResumableTurns"] = "true",
            ["Logging:LogLevel:LettaSockets.Server.Letta"] = "Debug",
        };
        for (int i = 0; i < FuzzGenerators.Agents; i++)
        {
            settings[$"Auth:ApiKeys:0:Agents:{i}"] = agents[i];
        }

        foreach ((string key, string? value) in extra ?? new Dictionary<string, string?>())
        {
            settings[key] = value;
        }

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
        return new FuzzWorld(gateway, agents, logs);
    }

    public ValueTask DisposeAsync() => Gateway.DisposeAsync();
}
