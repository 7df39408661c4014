using System.Text.Json;
using LettaSockets.Seed.Tests.Support;
using LettaSockets.Simulator;

namespace LettaSockets.Seed.Tests;

/// <summary>
/// The seed tutorial's own clients, run as written (types stripped; only the URL changed) against
/// this gateway: the TypeScript <c>streamAgentMessage</c>, the React <c>useStreamingAgent</c> hook
/// (under node with a minimal hooks runtime) and the WebSocket snippet.
/// </summary>
[TestClass]
public sealed class SeedClientTests
{
    private static readonly TimeSpan NodeTimeout = TimeSpan.FromSeconds(30);
    private static SeedGateway s_gateway = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext _) => s_gateway = await SeedGateway.StartAsync();

    [ClassCleanup]
    public static async Task StopAsync() => await s_gateway.DisposeAsync();

    private static Dictionary<string, string> Environment() => new()
    {
        ["SEED_HTTP_BASE"] = s_gateway.HttpBase,
        ["SEED_WS_BASE"] = s_gateway.WebSocketBase,
        ["SEED_AGENT"] = SeedGateway.AgentId,
        ["SEED_SLOW_AGENT"] = SeedGateway.SlowAgentId,
        ["SEED_UNKNOWN_AGENT"] = $"agent-{Guid.NewGuid()}",
    };

    [TestMethod]
    public async Task The_typescript_client_streams_the_answer_and_reports_errors()
    {
        JsonElement result = await Node.RunAsync("run-streaming-client.mjs", SeedGateway.ClientsFolder, Environment(), NodeTimeout);

        JsonElement answer = result.GetProperty("answer");
        Assert.AreEqual(SeedGateway.Answer, answer.GetProperty("text").GetString(), "onChunk got the text, in order, nothing else");
        Assert.IsTrue(answer.GetProperty("chunks").GetInt32() > 5, "token by token");
        Assert.AreEqual(1, answer.GetProperty("completed").GetInt32(), "onComplete once");
        Assert.AreEqual(0, answer.GetProperty("errors").GetArrayLength(), answer.GetProperty("errors").ToString());

        JsonElement unknown = result.GetProperty("unknown");
        Assert.AreEqual(0, unknown.GetProperty("completed").GetInt32());
        Assert.AreEqual(1, unknown.GetProperty("errors").GetArrayLength(), "onError with the error event's message");
        StringAssert.Contains(unknown.GetProperty("errors")[0].GetString(), "does not know this agent");
    }

    [TestMethod]
    public async Task The_react_hook_streams_and_stop_cancels_the_run_in_letta()
    {
        JsonElement result = await Node.RunAsync("run-react-hook.mjs", SeedGateway.ClientsFolder, Environment(), NodeTimeout);

        JsonElement answered = result.GetProperty("answered");
        Assert.AreEqual(SeedGateway.Answer, answered.GetProperty("response").GetString());
        Assert.IsFalse(answered.GetProperty("isStreaming").GetBoolean());
        Assert.AreEqual(JsonValueKind.Null, answered.GetProperty("error").ValueKind);
        Assert.AreEqual("", result.GetProperty("initial").GetProperty("response").GetString());

        Assert.IsTrue(result.GetProperty("wasStreaming").GetBoolean());
        JsonElement stopped = result.GetProperty("stopped");
        string partial = stopped.GetProperty("response").GetString()!;
        Assert.IsFalse(stopped.GetProperty("isStreaming").GetBoolean());
        Assert.AreEqual(JsonValueKind.Null, stopped.GetProperty("error").ValueKind, "an abort is not an error");
        Assert.IsTrue(partial.Length > 0 && partial.Length < SeedGateway.SlowAnswer.Length && SeedGateway.SlowAnswer.StartsWith(partial, StringComparison.Ordinal), partial);

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(15));
        CancelRecord cancel = await s_gateway.Simulator.Simulator.Journal.WaitForCancelAsync(c => c.AgentId == SeedGateway.SlowAgentId, timeout.Token);
        Assert.AreEqual(1, cancel.RunIds?.Count, "stop() aborted the request and the gateway cancelled that run in Letta");
    }

    [TestMethod]
    public async Task The_websocket_snippet_gets_chunks_then_done()
    {
        JsonElement result = await Node.RunAsync("run-websocket-client.mjs", SeedGateway.ClientsFolder, Environment(), NodeTimeout);

        Assert.AreEqual(SeedGateway.Answer, result.GetProperty("text").GetString());
        Assert.IsTrue(result.GetProperty("chunks").GetInt32() >= 1);
        Assert.IsTrue(result.GetProperty("completed").GetBoolean());
    }
}
