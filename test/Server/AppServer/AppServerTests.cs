using LettaSockets.Protocol.Json;
using LettaSockets.Server.Tests.Support;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LettaSockets.Server.Tests.AppServer;

/// <summary>
/// The gateway in front of the real Letta Code App Server (<c>letta server --backend local</c>) and a
/// deterministic fake model: everything a client does, through PROTOCOL.md only.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class AppServerTests
{
    private static FakeLlm s_llm = null!;
    private static LettaCodeServer s_server = null!;
    private static TestGateway s_gateway = null!;
    private static LogCapture s_logs = null!;
    private static string s_agent = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext _)
    {
        if (LettaCodeServer.SkipReason is { } why)
        {
            Assert.Inconclusive(why);
        }

        s_llm = await FakeLlm.StartAsync();
        s_server = await LettaCodeServer.StartAsync(s_llm);
        s_logs = new LogCapture();
        s_gateway = await TestGateway.StartAsync(GatewaySettings(s_server), services: s => s.AddSingleton<ILoggerProvider>(s_logs));
        s_agent = await s_server.CreateAgentAsync("gateway-tests");
    }

    [ClassCleanup]
    public static async Task StopAsync()
    {
        if (s_gateway is not null)
        {
            await s_gateway.DisposeAsync();
        }

        if (s_server is not null)
        {
            await s_server.DisposeAsync();
        }

        if (s_llm is not null)
        {
            await s_llm.DisposeAsync();
        }
    }

    internal static Dictionary<string, string?> GatewaySettings(LettaCodeServer server, string? token = null) => new()
    {
        ["Letta:BaseUrl"] = server.WebSocketUrl.ToString(),
        ["Letta:ApiKey"] = token ?? server.Token,
        ["AppServer:ReconnectBaseDelay"] = "00:00:00.100",
        ["AppServer:ReconnectMaxDelay"] = "00:00:00.500",
        ["Sockets:MaxMergedChunks"] = "1",
        ["Logging:LogLevel:LettaSockets"] = "Debug",
    };

    [TestMethod]
    public async Task A_turn_streams_token_by_token_byte_exact()
    {
        string[] deltas = ["Grüße", ", \"world\"", " — 👩‍👩‍👧", "\n", "line two {}", " done."];
        await using TestClient client = await s_gateway.ConnectAsync(s_agent);
        Assert.IsFalse(client.Ready.Resumable, "the App Server has no resumable runs");

        await client.SendMessageAsync("t1", "[say " + string.Join('|', deltas).Replace("\n", "\\n", StringComparison.Ordinal) + "]");
        List<ServerFrame> frames = await client.ReadTurnAsync("t1", TimeSpan.FromSeconds(60));

        CollectionAssert.AreEqual(deltas, frames.Where(f => f.Type == "chunk").Select(f => f.Content).ToArray(), string.Join(" | ", frames.Select(f => f.Type + ":" + f.Content)));
        Assert.AreEqual("done", frames[^1].Type);
        Assert.AreEqual("end_turn", frames[^1].StopReason);
    }
}
