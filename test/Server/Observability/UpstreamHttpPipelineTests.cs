using LettaSockets.Testing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Http.Logging;

namespace LettaSockets.Server.Tests.Observability;

/// <summary>
/// What each request to Letta passes through besides the resilience pipeline: the HTTP client factory's
/// request logs only when the configuration asks for them, the W3C trace propagation only when traces
/// are exported. Read from the handler chain the factory builds for the gateway's client.
/// </summary>
[TestClass]
public sealed class UpstreamHttpPipelineTests
{
    [TestMethod]
    public async Task By_default_no_request_logging_handlers_and_no_trace_propagation()
    {
        await using TestGateway gateway = await TestGateway.StartAsync(new Dictionary<string, string?> { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "" });

        (List<HttpMessageHandler> chain, SocketsHttpHandler primary) = Chain(gateway);

        Assert.IsFalse(chain.Any(h => h is LoggingHttpMessageHandler or LoggingScopeHttpMessageHandler), string.Join(", ", chain.Select(h => h.GetType().Name)));
        Assert.IsNull(primary.ActivityHeadersPropagator, "no Activity per request and no traceparent when nothing exports traces");
    }

    [TestMethod]
    [DataRow("System.Net.Http.HttpClient", "Information")]
    [DataRow("System.Net.Http.HttpClient.LettaClient", "Debug")]
    [DataRow("System.Net.Http.HttpClient.LettaClient.ClientHandler", "trace")]
    public async Task Setting_the_http_client_category_to_information_or_lower_brings_the_request_logs(string category, string level)
    {
        await using TestGateway gateway = await TestGateway.StartAsync(new Dictionary<string, string?> { [$"Logging:LogLevel:{category}"] = level });

        (List<HttpMessageHandler> chain, _) = Chain(gateway);

        Assert.IsTrue(chain.Any(h => h is LoggingScopeHttpMessageHandler), "the outer (logical) request log");
        Assert.IsTrue(chain.Any(h => h is LoggingHttpMessageHandler), "the inner (client) request log");
    }

    [TestMethod]
    public async Task Warning_on_the_http_client_category_leaves_the_logging_handlers_out()
    {
        await using TestGateway gateway = await TestGateway.StartAsync(new Dictionary<string, string?> { ["Logging:LogLevel:System.Net.Http.HttpClient"] = "Warning" });

        (List<HttpMessageHandler> chain, _) = Chain(gateway);

        Assert.IsFalse(chain.Any(h => h is LoggingHttpMessageHandler or LoggingScopeHttpMessageHandler));
    }

    [TestMethod]
    public async Task With_an_otlp_exporter_requests_carry_the_trace_context()
    {
        await using TestGateway gateway = await TestGateway.StartAsync(
            new Dictionary<string, string?> { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "http://127.0.0.1:9", ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf" });

        (_, SocketsHttpHandler primary) = Chain(gateway);

        Assert.IsNotNull(primary.ActivityHeadersPropagator);
    }

    private static (List<HttpMessageHandler> Chain, SocketsHttpHandler Primary) Chain(TestGateway gateway)
    {
        HttpMessageHandler handler = gateway.Services.GetRequiredService<IHttpMessageHandlerFactory>().CreateHandler(nameof(LettaSockets.Server.Letta.LettaClient));
        var chain = new List<HttpMessageHandler>();
        while (handler is DelegatingHandler delegating)
        {
            chain.Add(delegating);
            handler = delegating.InnerHandler!;
        }

        return (chain, (SocketsHttpHandler)handler);
    }
}
