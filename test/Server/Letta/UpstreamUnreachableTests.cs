using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Text.Json;
using LettaSockets.Protocol.Json;
using LettaSockets.Simulator;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LettaSockets.Server.Tests.Letta;

/// <summary>Letta unreachable or refusing the gateway's key: typed errors, bounded time, no secret leaks.</summary>
[TestClass]
public sealed class UpstreamUnreachableTests
{
    private const string LettaKey = "letta-secret-0123456789abcdef";

    private static async Task<List<ServerFrame>> OneTurnAsync(TestGateway gateway)
    {
        await using TestClient client = await gateway.ConnectAsync(DemoAgents.AdaId);
        await client.SendMessageAsync("t", "hi");
        return await client.ReadTurnAsync("t");
    }

    [TestMethod]
    public async Task A_refused_connection_is_upstream_unavailable_after_bounded_retries()
    {
        int closedPort;
        using (var listener = new TcpListener(IPAddress.Loopback, 0))
        {
            listener.Start();
            closedPort = ((IPEndPoint)listener.LocalEndpoint).Port;
        }

        await using TestGateway gateway = await TestGateway.StartAsync(new Dictionary<string, string?> { ["Letta:BaseUrl"] = $"http://127.0.0.1:{closedPort}" });
        var clock = Stopwatch.StartNew();
        List<ServerFrame> turn = await OneTurnAsync(gateway);

        Assert.AreEqual("upstream_unavailable", turn[^1].Code);
        Assert.IsTrue(turn[^1].Retryable);
        Assert.AreEqual("HttpRequestException", turn[^1].Detail, "the failure's kind, not its text");
        Assert.IsTrue(clock.Elapsed < TimeSpan.FromSeconds(10), $"no hang ({clock.Elapsed})");
        var (live, _) = await UpgradeProbe.GetAsync(gateway.BaseUri, "/healthz");
        var (ready, why) = await UpgradeProbe.GetAsync(gateway.BaseUri, "/readyz");
        Assert.AreEqual(HttpStatusCode.OK, live, "the process itself is fine");
        Assert.AreEqual(HttpStatusCode.ServiceUnavailable, ready, "but it is not worth routing to");
        StringAssert.Contains(why, "upstream_unavailable");
    }

    [TestMethod]
    public async Task A_host_that_does_not_resolve_is_upstream_unavailable()
    {
        await using TestGateway gateway = await TestGateway.StartAsync(new Dictionary<string, string?>
        {
            ["Letta:BaseUrl"] = "http://letta.invalid",
            ["Letta:OpenTimeout"] = "00:00:05",
        });

        List<ServerFrame> turn = await OneTurnAsync(gateway);

        Assert.AreEqual("upstream_unavailable", turn[^1].Code);
        Assert.IsTrue(turn[^1].Retryable);
    }

    [TestMethod]
    public async Task A_refused_letta_key_is_upstream_unauthorized_and_the_key_is_in_no_frame_and_no_log()
    {
        var sink = new LogSink();
        var settings = new Dictionary<string, string?>(LogSink.TraceSettings) { ["Letta:ApiKey"] = LettaKey };
        await using TestGateway gateway = await TestGateway.StartAsync(
            settings,
            simulator: s => s.RequiredApiKey = "the-key-letta-expects-0123456789",
            services: s => s.AddSingleton<ILoggerProvider>(sink));

        await using TestClient client = await gateway.ConnectAsync(DemoAgents.AdaId);
        await client.SendMessageAsync("t", "hi");
        List<ServerFrame> turn = await client.ReadTurnAsync("t");
        var (agentsStatus, agentsBody) = await UpgradeProbe.GetAsync(gateway.BaseUri, "/api/agents");
        var (readyStatus, readyBody) = await UpgradeProbe.GetAsync(gateway.BaseUri, "/readyz");

        Assert.AreEqual("upstream_unauthorized", turn[^1].Code);
        Assert.IsFalse(turn[^1].Retryable);
        Assert.AreEqual(HttpStatusCode.BadGateway, agentsStatus);
        StringAssert.Contains(agentsBody, "upstream_unauthorized");
        Assert.AreEqual(HttpStatusCode.ServiceUnavailable, readyStatus);
        StringAssert.Contains(readyBody, "HTTP 401");

        string frames = string.Join('\n', client.Received.Select(f => JsonSerializer.Serialize(f, ProtocolJsonContext.Default.ServerFrame)));
        Assert.IsFalse(frames.Contains(LettaKey[..16], StringComparison.Ordinal), "no frame holds the key");
        Assert.IsFalse(agentsBody.Contains(LettaKey[..16], StringComparison.Ordinal) || readyBody.Contains(LettaKey[..16], StringComparison.Ordinal));
        Assert.IsTrue(sink.Containing("v1/agents").Count > 0, "requests to Letta were logged (the test reads real lines)");
        Assert.IsTrue(sink.Containing("Authorization").Count > 0, "request headers were logged, the key's value redacted");
        CollectionAssert.AreEqual(new List<string>(), sink.Containing(LettaKey[..16]), "no log line holds the key");
    }
}
