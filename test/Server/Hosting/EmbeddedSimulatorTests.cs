using LettaSockets.Protocol.Json;
using LettaSockets.Server.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Options;

namespace LettaSockets.Server.Tests.Hosting;

/// <summary>The first README command: no Letta configured, the gateway embeds the simulator.</summary>
[TestClass]
public sealed class EmbeddedSimulatorTests
{
    [TestMethod]
    public async Task Without_a_letta_url_the_default_agent_answers_through_the_embedded_simulator()
    {
        WebApplication app = LettaSocketsApp.Build(["--urls=http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning", "--Simulator:PaceMultiplier=0.1"]);
        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        try
        {
            var ws = new UriBuilder(app.Urls.First()) { Scheme = "ws", Path = "/ws" }.Uri;
            await using TestClient client = await TestClient.ConnectAsync(ws);
            Assert.AreEqual(EmbeddedSimulator.AssistantAgentId, client.Ready.AgentId);

            await client.SendAsync("count to 12");
            List<ServerFrame> turn = await client.ReadUntilAsync(f => f.IsTerminal);

            Assert.AreEqual("1 2 3 4 5 6 7 8 9 10 11 12", TestClient.Text(turn));
            Assert.IsNotNull(app.Services.GetRequiredService<EmbeddedSimulator>().Host, "the simulator runs in-process on loopback");

            using var http = new HttpClient { BaseAddress = new Uri(app.Urls.First()), Timeout = TimeSpan.FromSeconds(10) };
            string agents = await http.GetStringAsync("/api/agents");
            StringAssert.Contains(agents, EmbeddedSimulator.AssistantAgentId);
        }
        finally
        {
            await app.StopAsync().WaitAsync(TimeSpan.FromSeconds(30));
            await app.DisposeAsync();
        }
    }

    [TestMethod]
    public void Invalid_settings_are_all_reported_at_start()
    {
        WebApplication app = LettaSocketsApp.Build(["--urls=http://127.0.0.1:0", "--Letta:BaseUrl=ftp://x", "--Letta:MaxRetries=-1", "--Sockets:MaxActiveTurns=0"]);

        var e = Assert.ThrowsExactly<OptionsValidationException>(() => app.Services.GetRequiredService<IOptions<LettaSockets.Server.Upstream.LettaOptions>>().Value);
        Assert.AreEqual(2, e.Failures.Count());
        var s = Assert.ThrowsExactly<OptionsValidationException>(() => app.Services.GetRequiredService<IOptions<LettaSockets.Server.Connections.SocketOptions>>().Value);
        StringAssert.Contains(s.Message, "MaxActiveTurns");
    }

    [TestMethod]
    public async Task Circuit_breaker_health_and_buffer_settings_are_checked_at_start_all_at_once()
    {
        WebApplication app = LettaSocketsApp.Build(["--urls=http://127.0.0.1:0", "--Letta:CircuitBreaker:FailureRatio=2", "--Letta:CircuitBreaker:MinimumThroughput=0",
            "--Health:ProbeTimeout=00:00:00", "--Limits:MaxBufferedBytes=10", "--Sockets:MaxQueuedBytes=100"]);
        try
        {
            // Start-up fails before anything listens, with every problem named.
            var e = await Assert.ThrowsAsync<OptionsValidationException>(() => app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30)));
            string all = string.Join(" | ", e.Failures) + " " + e.Message;
            var breaker = Assert.ThrowsExactly<OptionsValidationException>(() => app.Services.GetRequiredService<IOptions<LettaSockets.Server.Resilience.CircuitBreakerSettings>>().Value);
            Assert.AreEqual(2, breaker.Failures.Count(), "both breaker problems at once");
            StringAssert.Contains(Assert.ThrowsExactly<OptionsValidationException>(() => app.Services.GetRequiredService<IOptions<LettaSockets.Server.Health.HealthOptions>>().Value).Message, "ProbeTimeout");
            StringAssert.Contains(Assert.ThrowsExactly<OptionsValidationException>(() => app.Services.GetRequiredService<IOptions<LettaSockets.Server.Security.LimitOptions>>().Value).Message, "MaxBufferedBytes");
            StringAssert.Contains(Assert.ThrowsExactly<OptionsValidationException>(() => app.Services.GetRequiredService<IOptions<LettaSockets.Server.Connections.SocketOptions>>().Value).Message, "MaxQueuedBytes");
            Assert.IsFalse(string.IsNullOrEmpty(all));
        }
        finally
        {
            await app.DisposeAsync();
        }
    }
}
