using System.Net;
using LettaSockets.Server.Security;
using LettaSockets.Testing;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LettaSockets.Server.Tests.Security;

/// <summary>
/// The front door is one middleware for every transport (<see cref="GatewayAccess"/>): which endpoints it guards,
/// that it runs before the endpoint, and that without it a marked endpoint is refused rather than run unguarded.
/// </summary>
[TestClass]
public sealed class GatewayAccessPipelineTests
{
    private const string Key = "pipeline-key-0123456789abcdef";
    private static readonly TimeSpan Bound = TimeSpan.FromSeconds(20);

    [TestMethod]
    public async Task Every_websocket_sse_and_api_endpoint_is_guarded_and_health_is_not()
    {
        await using TestGateway gateway = await TestGateway.StartAsync();
        RouteEndpoint[] routes = [.. gateway.Services.GetRequiredService<EndpointDataSource>().Endpoints.OfType<RouteEndpoint>()];

        string[] guarded = [.. routes.Where(GatewayAccess.IsGuarded).Select(r => r.RoutePattern.RawText!)];
        string[] open = [.. routes.Where(r => !GatewayAccess.IsGuarded(r)).Select(r => r.RoutePattern.RawText!)];

        CollectionAssert.IsSubsetOf(new[] { "/ws/{agentId}", "/ws", "/stream", "/api/agents" }, guarded);
        Assert.IsTrue(guarded.All(p => p.StartsWith("/ws", StringComparison.Ordinal) || p.StartsWith("/stream", StringComparison.Ordinal) || p.StartsWith("/api/", StringComparison.Ordinal)), string.Join(", ", guarded));
        Assert.IsFalse(open.Any(p => p.StartsWith("/ws", StringComparison.Ordinal) || p.StartsWith("/api/", StringComparison.Ordinal) || p == "/stream"), "unguarded: " + string.Join(", ", open));
        CollectionAssert.IsSubsetOf(new[] { "/healthz", "/readyz" }, open, "health needs no key");
    }

    [TestMethod]
    public async Task Without_the_middleware_a_marked_endpoint_is_never_run_and_the_error_names_what_is_missing()
    {
        var errors = new LogSink();
        await using WebApplication app = Build(keys: true, errors);
        int reached = 0;
        app.MapGet("/x", () => { Interlocked.Increment(ref reached); return "reached"; }).RequireGatewayAccess();
        app.MapGet("/open", () => "open");
        await app.StartAsync().WaitAsync(Bound);
        using HttpClient http = Client(app);

        HttpResponseMessage marked = await http.GetAsync(new Uri("/x", UriKind.Relative));
        HttpResponseMessage untouched = await http.GetAsync(new Uri("/open", UriKind.Relative));

        Assert.AreEqual(HttpStatusCode.InternalServerError, marked.StatusCode);
        Assert.AreEqual(0, reached, "fails closed: the endpoint did not run unguarded");
        Assert.AreEqual(HttpStatusCode.OK, untouched.StatusCode, "endpoints without the mark are routed as before");
        Assert.IsTrue(errors.Containing("UseGatewayAccess").Count > 0, "the logged error says what is missing");
        await app.StopAsync().WaitAsync(Bound);
    }

    [TestMethod]
    public async Task With_the_middleware_a_marked_endpoint_is_refused_without_a_key_and_reached_with_one_and_others_are_untouched()
    {
        await using WebApplication app = Build(keys: true);
        app.UseGatewayAccess();
        int reached = 0;
        app.MapGet("/x", () => { Interlocked.Increment(ref reached); return "reached"; }).RequireGatewayAccess();
        app.MapGet("/open", () => "open");
        await app.StartAsync().WaitAsync(Bound);
        using HttpClient http = Client(app);

        HttpResponseMessage refused = await http.GetAsync(new Uri("/x", UriKind.Relative));
        using var withKey = new HttpRequestMessage(HttpMethod.Get, "/x") { Headers = { Authorization = new("Bearer", Key) } };
        HttpResponseMessage admitted = await http.SendAsync(withKey);
        HttpResponseMessage untouched = await http.GetAsync(new Uri("/open", UriKind.Relative));

        Assert.AreEqual(HttpStatusCode.Unauthorized, refused.StatusCode);
        StringAssert.Contains(await refused.Content.ReadAsStringAsync(), "\"code\":\"unauthorized\"");
        Assert.AreEqual(HttpStatusCode.OK, admitted.StatusCode);
        Assert.AreEqual("reached", await admitted.Content.ReadAsStringAsync());
        Assert.AreEqual(1, reached, "the refused request never reached the endpoint");
        Assert.AreEqual(HttpStatusCode.OK, untouched.StatusCode);
        await app.StopAsync().WaitAsync(Bound);
    }

    private static HttpClient Client(WebApplication app) => new()
    {
        BaseAddress = new Uri(app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()!.Addresses.First()),
        Timeout = Bound,
    };

    private static WebApplication Build(bool keys, LogSink? logs = null)
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        if (logs is not null)
        {
            builder.Logging.AddProvider(logs);
        }

        if (keys)
        {
            builder.Configuration.AddInMemoryCollection([new("Auth:ApiKeys:0:Key", Key)]);
        }

        builder.Services.AddGatewaySecurity(builder.Configuration);
        return builder.Build();
    }
}
