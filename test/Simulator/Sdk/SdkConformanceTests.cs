using System.Text.Json;
using LettaSockets.Simulator.Tests.TestSupport;

namespace LettaSockets.Simulator.Tests.Sdk;

/// <summary>
/// Letta's own TypeScript SDK drives the simulator through every call a streaming client makes
/// (<c>test/Simulator/sdk/conformance.mjs</c>); each answer must parse into the SDK's typed result.
/// </summary>
[TestClass]
public sealed class SdkConformanceTests
{
    private const string QuickAgent = "agent-aaaaaaaa-0000-4000-8000-000000000001";
    private const string ToolAgent = "agent-aaaaaaaa-0000-4000-8000-000000000002";
    private const string SlowAgent = "agent-aaaaaaaa-0000-4000-8000-000000000003";
    private const string ApiKey = "sdk-conformance-key";

    /// <summary>Every check of the script, by the SDK methods it calls; a check missing from the result fails too.</summary>
    private static readonly string[] s_checks =
    [
        "client.health()",
        "client.agents.list()",
        "client.agents.retrieve()",
        "client.agents.messages.create() streaming:false → LettaResponse",
        "client.agents.messages.create() streaming, token streaming",
        "client.agents.messages.create() streaming, step streaming (tool call)",
        "client.agents.messages.create() streaming, token streaming (tool call deltas)",
        "client.agents.messages.stream() (deprecated /messages/stream)",
        "client.agents.messages.create() background + client.runs.messages.stream() from a seq",
        "re-attach to a live background run (client.runs.messages.stream) + client.agents.messages.cancel()",
        "client.agents.messages.cancel() without run_ids cancels the newest active run",
        "client.runs.list()",
        "client.runs.retrieve()",
        "client.runs.messages.list()",
        "client.agents.messages.list()",
        "client.conversations.create() / retrieve() / list()",
        "client.conversations.messages.create() (streams by default) + messages.list()",
        "conversation lock: 409 while busy, re-attach (conversations.messages.stream) by newest/otid/run_id, conversations.cancel()",
        "the default conversation (conversation_id 'default' + agent_id)",
        "errors: unknown agent 404, bad body and bad id 422, nothing to cancel 409",
        "an error inside the stream surfaces as APIError",
    ];

    [TestMethod]
    [Timeout(600_000, CooperativeCancellation = true)]
    public async Task Lettas_TypeScript_SDK_parses_every_answer_of_the_simulator()
    {
        var sdk = await LettaClientSdk.EnsureInstalledAsync();
        await using var sim = await SimTest.StartAsync(o =>
        {
            o.PaceMultiplier = 1;
            o.CancelPollInterval = TimeSpan.FromMilliseconds(50);
            o.RequiredApiKey = ApiKey;
        });
        sim.AddAgent(_ => AgentScript.Create().Reasoning("The user said hello.").Say("Hello from the simulator."), QuickAgent);
        sim.AddAgent(_ => AgentScript.Create().Reasoning("Rolling.").ToolCall("roll_dice", "{\"num_sides\": 20}", result: "7").Say("You rolled a 7."), ToolAgent);
        sim.AddAgent(_ => AgentScript.Create().Say("Let me think about that.").Pause(TimeSpan.FromMinutes(5)).Say("Done."), SlowAgent);

        var result = await LettaClientSdk.RunScriptAsync(
            Path.Combine(LettaClientSdk.RepositoryRoot, "test", "Simulator", "sdk", "conformance.mjs"),
            new Dictionary<string, string>
            {
                ["LETTA_CLIENT_DIR"] = sdk,
                ["LETTA_BASE_URL"] = sim.Host.BaseUrl.ToString(),
                ["LETTA_API_KEY"] = ApiKey,
                ["QUICK_AGENT"] = QuickAgent,
                ["TOOL_AGENT"] = ToolAgent,
                ["SLOW_AGENT"] = SlowAgent,
            },
            TimeSpan.FromMinutes(4));

        Assert.AreEqual(LettaClientSdk.Version, result.GetProperty("sdk").GetString(), "the pinned SDK ran");
        var failures = result.GetProperty("failed").EnumerateArray()
            .Select(f => $"{f.GetProperty("name").GetString()}: {f.GetProperty("error").GetString()}")
            .ToList();
        Assert.IsEmpty(failures, string.Join(Environment.NewLine + Environment.NewLine, failures));
        var passed = result.GetProperty("passed").EnumerateArray().Select(p => p.GetString()).ToList();
        CollectionAssert.AreEqual(s_checks, passed, "every check ran and passed");
        Assert.AreEqual(0, sim.Sim.Runs.List(activeOnly: true).Count, "the script cancelled every slow run it started");
    }
}
