using System.Collections.Concurrent;
using System.Net;
using System.Net.Sockets;
using LettaSockets.Server.Hosting;
using LettaSockets.Server.Resilience;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;
using Microsoft.Extensions.Options;
using Microsoft.Extensions.Time.Testing;

namespace LettaSockets.Server.Tests.Letta;

/// <summary>
/// The start-up warm-up of the upstream pool (<c>Letta:WarmConnections</c>): the connections are open before
/// the gateway listens and serve its first requests; a failing or silent Letta neither keeps it from starting
/// nor opens the circuit breaker, and the key reaches no log line.
/// </summary>
[TestClass]
public sealed class ConnectionWarmUpTests
{
    private const string LettaKey = "letta-secret-warm-0123456789abcdef";

    [TestMethod]
    public async Task The_connections_are_open_before_the_gateway_listens_and_serve_its_first_requests()
    {
        await using FakeLetta letta = await FakeLetta.StartAsync(HttpStatusCode.OK);
        await using TestGateway gateway = await TestGateway.StartAsync(new Dictionary<string, string?>
        {
            ["Letta:BaseUrl"] = letta.Url,
            ["Letta:ApiKey"] = LettaKey,
            ["Letta:WarmConnections"] = "6",
        });

        // StartAsync returns once Kestrel listens: the warm-up ran before that.
        Assert.AreEqual(7, letta.Requests, "one request alone, then one per connection");
        Assert.AreEqual(6, letta.Connections.Count, "six connections, none shared");
        Assert.IsTrue(letta.Authorized.All(a => a == "Bearer " + LettaKey), "the warm-up authenticates like any request");

        // Six concurrent requests right after start find the six connections idle in the pool.
        Task<(HttpStatusCode, string)>[] lists = [.. Enumerable.Range(0, 6).Select(_ => UpgradeProbe.GetAsync(gateway.BaseUri, "/api/agents"))];
        foreach ((HttpStatusCode status, string body) in await Task.WhenAll(lists).WaitAsync(TestClient.DefaultTimeout))
        {
            Assert.AreEqual(HttpStatusCode.OK, status, body);
        }

        Assert.AreEqual(13, letta.Requests);
        Assert.AreEqual(6, letta.Connections.Count, "no new connection for the first requests");
    }

    [TestMethod]
    public async Task Zero_turns_the_warm_up_off()
    {
        await using FakeLetta letta = await FakeLetta.StartAsync(HttpStatusCode.OK);
        await using TestGateway gateway = await TestGateway.StartAsync(new Dictionary<string, string?>
        {
            ["Letta:BaseUrl"] = letta.Url,
            ["Letta:WarmConnections"] = "0",
        });

        Assert.AreEqual(0, letta.Requests);
        var (ready, _) = await UpgradeProbe.GetAsync(gateway.BaseUri, "/readyz");
        Assert.AreEqual(HttpStatusCode.OK, ready);
        Assert.AreEqual(1, letta.Requests, "only the readiness probe");
    }

    [TestMethod]
    public async Task A_failing_Letta_is_logged_without_its_key_and_does_not_open_the_circuit_breaker()
    {
        var sink = new LogSink();
        await using FakeLetta letta = await FakeLetta.StartAsync(HttpStatusCode.ServiceUnavailable);
        var settings = new Dictionary<string, string?>(LogSink.TraceSettings)
        {
            ["Letta:BaseUrl"] = letta.Url,
            ["Letta:ApiKey"] = LettaKey,
            ["Letta:WarmConnections"] = "8",
            ["Letta:CircuitBreaker:MinimumThroughput"] = "2",
            ["Letta:CircuitBreaker:FailureRatio"] = "0.5",
        };
        await using TestGateway gateway = await TestGateway.StartAsync(settings, services: s => s.AddSingleton<ILoggerProvider>(sink));

        Assert.AreEqual(3, letta.Requests, "the first request (and its two retries) only: Letta does not answer it");
        List<string> warned = sink.Containing("Opened 0 of 8 connections to Letta");
        Assert.AreEqual(1, warned.Count, string.Join(Environment.NewLine, sink.Lines));
        StringAssert.Contains(warned[0], "HTTP 503");
        Assert.AreEqual(0, sink.Containing(LettaKey).Count, "the key is in no log line");
        Assert.IsFalse(gateway.Services.GetRequiredService<IOptions<CircuitBreakerSettings>>().Value.Status.IsOpen, "warm-up failures are not turn failures");
        var (ready, why) = await UpgradeProbe.GetAsync(gateway.BaseUri, "/readyz");
        Assert.AreEqual(HttpStatusCode.ServiceUnavailable, ready);
        StringAssert.Contains(why, "HTTP 503", "readiness says what Letta answers, not that the breaker is open");
    }

    [TestMethod]
    public async Task A_silent_Letta_delays_listening_by_the_bound_only()
    {
        // Letta accepts connections and never answers, so the warm-up's first request waits. The bound runs on
        // the gateway's clock, moved by the test.
        using var silent = new TcpListener(IPAddress.Loopback, 0);
        silent.Start();
        var clock = new FakeTimeProvider(DateTimeOffset.UtcNow);
        int port = ((IPEndPoint)silent.LocalEndpoint).Port;
        await using WebApplication app = LettaSocketsApp.Build(
            [
                "--urls=http://127.0.0.1:0",
                $"--Letta:BaseUrl=http://127.0.0.1:{port}",
                "--Letta:WarmConnections=4",
                "--Letta:WarmUpTimeout=00:00:03",
                "--Logging:LogLevel:Default=Warning",
            ],
            b => b.Services.AddSingleton<TimeProvider>(clock));

        Task start = app.StartAsync();
        var held = new List<TcpClient>();
        try
        {
            using var accepting = new CancellationTokenSource(TestClient.DefaultTimeout);
            while (held.Count < 1)
            {
                held.Add(await silent.AcceptTcpClientAsync(accepting.Token));
            }

            Assert.IsFalse(start.IsCompleted, "not listening while the warm-up waits for Letta");
            clock.Advance(TimeSpan.FromSeconds(2.9));
            Assert.IsFalse(start.IsCompleted, "still within the bound");
            clock.Advance(TimeSpan.FromSeconds(0.1));
            await start.WaitAsync(TestClient.DefaultTimeout);

            var (live, _) = await UpgradeProbe.GetAsync(new Uri(app.Urls.First()), "/healthz");
            Assert.AreEqual(HttpStatusCode.OK, live, "the gateway serves once the bound has passed");
        }
        finally
        {
            foreach (TcpClient c in held)
            {
                c.Dispose();
            }

            using var stop = new CancellationTokenSource(TestClient.DefaultTimeout);
            await app.StopAsync(stop.Token);
        }
    }

    [TestMethod]
    [DataRow("-1", "00:00:03", "Letta:WarmConnections")]
    [DataRow("1025", "00:00:03", "Letta:WarmConnections")]
    [DataRow("32", "00:00:00", "Letta:WarmUpTimeout")]
    [DataRow("32", "02:00:00", "Letta:WarmUpTimeout")]
    public void Out_of_range_warm_up_settings_are_refused_at_start(string connections, string timeout, string named)
    {
        WebApplication app = LettaSocketsApp.Build(["--urls=http://127.0.0.1:0", $"--Letta:WarmConnections={connections}", $"--Letta:WarmUpTimeout={timeout}"]);

        var e = Assert.ThrowsExactly<OptionsValidationException>(() => app.Services.GetRequiredService<IOptions<LettaSockets.Server.Upstream.LettaOptions>>().Value);
        Assert.AreEqual(1, e.Failures.Count(), e.Message);
        StringAssert.Contains(e.Message, named);
    }

    /// <summary>A Letta that answers <c>GET /v1/agents</c> with one status and counts requests and connections.</summary>
    private sealed class FakeLetta : IAsyncDisposable
    {
        private readonly WebApplication _app;
        private int _requests;

        private FakeLetta(WebApplication app) => _app = app;

        public string Url => _app.Urls.First();

        public int Requests => Volatile.Read(ref _requests);

        public ConcurrentDictionary<string, bool> Connections { get; } = new();

        public ConcurrentBag<string> Authorized { get; } = [];

        public static async Task<FakeLetta> StartAsync(HttpStatusCode status)
        {
            WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
            builder.WebHost.UseUrls("http://127.0.0.1:0");
            builder.Logging.ClearProviders();
            var fake = new FakeLetta(builder.Build());
            fake._app.MapGet("/v1/agents", (HttpContext context) =>
            {
                Interlocked.Increment(ref fake._requests);
                fake.Connections.TryAdd(context.Connection.Id, true);
                fake.Authorized.Add(context.Request.Headers.Authorization.ToString());
                return status == HttpStatusCode.OK
                    ? Results.Text("""[{"id":"agent-00000000-0000-4000-8000-00000000000a","name":"Ada"}]""", "application/json")
                    : Results.Text("""{"detail":"unavailable"}""", "application/json", statusCode: (int)status);
            });
            await fake._app.StartAsync().WaitAsync(TestClient.DefaultTimeout);
            return fake;
        }

        public async ValueTask DisposeAsync()
        {
            using var stop = new CancellationTokenSource(TestClient.DefaultTimeout);
            await _app.StopAsync(stop.Token);
            await _app.DisposeAsync();
        }
    }
}
