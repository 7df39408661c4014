using LettaSockets.Protocol.Json;
using LettaSockets.Server.Hosting;
using LettaSockets.Simulator;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LettaSockets.Server.Tests.Security;

/// <summary>docs/PROTOCOL.md, "Secrets stay server-side" (README, Security): client keys never reach a log line, at any level, in any category.</summary>
[TestClass]
public sealed class SecretLoggingTests
{
    private const string Key = "query-secret-0123456789abcdef";

    [TestMethod]
    public async Task A_query_token_appears_in_no_log_line_at_any_level()
    {
        var sink = new LogSink();
        var settings = new Dictionary<string, string?>(LogSink.TraceSettings) { ["Auth:ApiKeys:0:Key"] = Key };
        await using TestGateway gateway = await TestGateway.StartAsync(settings, services: s => s.AddSingleton<ILoggerProvider>(sink));

        await using (TestClient client = await TestClient.ConnectAsync(gateway.WebSocketUri(DemoAgents.AdaId, $"access_token={Key}&x=1")))
        {
            await client.SendMessageAsync("t", "count to 3");
            Assert.AreEqual("done", (await client.ReadTurnAsync("t"))[^1].Type);
        }

        await UpgradeProbe.StatusAsync(gateway.WebSocketUri(DemoAgents.AdaId, $"access%5Ftoken={Key}"));
        await UpgradeProbe.StatusAsync(gateway.WebSocketUri(DemoAgents.AdaId, $"ACCESS_TOKEN={Key}x"));
        await UpgradeProbe.GetAsync(gateway.BaseUri, $"/api/agents?access_token={Key}");
        await UpgradeProbe.GetAsync(gateway.BaseUri, $"/nowhere?access_token={Key}");
        using var done = new CancellationTokenSource(TestClient.DefaultTimeout);
        await gateway.Services.GetRequiredService<LettaSockets.Server.Connections.ConnectionTracker>().WhenEmptyAsync(done.Token);

        Assert.IsTrue(sink.Containing("Request starting").Count >= 5, "the hosting layer logged the requests (the test looks at real log lines)");
        Assert.IsTrue(sink.Containing("access_token=redacted").Count >= 3, "the requests are logged with the token redacted");
        CollectionAssert.AreEqual(new List<string>(), sink.Containing(Key[..20]), "no line holds the key");
    }

    [TestMethod]
    [DataRow("http://0.0.0.0:0", true)]
    [DataRow("http://127.0.0.1:0", false)]
    public async Task An_open_gateway_says_so_when_it_listens_beyond_loopback(string url, bool warns)
    {
        var sink = new LogSink();
        WebApplication app = LettaSocketsApp.Build([$"--urls={url}", "--Simulator:PaceMultiplier=0"], b => b.Services.AddSingleton<ILoggerProvider>(sink));
        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        try
        {
            Assert.AreEqual(warns, sink.Containing("No client keys are configured").Count == 1);
        }
        finally
        {
            await app.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
            await app.DisposeAsync();
        }
    }
}
