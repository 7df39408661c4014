using System.Net;
using System.Text;
using LettaSockets.Protocol.Json;
using LettaSockets.Simulator;

namespace LettaSockets.Server.Tests.Security;

/// <summary>Client keys (docs/PROTOCOL.md, "Connecting"): checked before the upgrade, scoped keys, every HTTP endpoint.</summary>
[TestClass]
public sealed class AuthTests
{
    private const string FullKey = "full-key-0123456789abcdef";
    private const string AdaKey = "ada-only-0123456789abcdef";
    private static TestGateway s_gateway = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext _) =>
        s_gateway = await TestGateway.StartAsync(new Dictionary<string, string?>
        {
            ["Auth:ApiKeys:0:Key"] = FullKey,
            ["Auth:ApiKeys:1:Key"] = AdaKey,
            ["Auth:ApiKeys:1:Agents:0"] = DemoAgents.AdaId,
        });

    [ClassCleanup]
    public static async Task StopAsync() => await s_gateway.DisposeAsync();

    private static Action<System.Net.WebSockets.ClientWebSocketOptions> Bearer(string key) => o => o.SetRequestHeader("Authorization", $"Bearer {key}");

    [TestMethod]
    [DataRow(null, DisplayName = "no key")]
    [DataRow("Bearer wrong-key-0123456789abcdef", DisplayName = "wrong bearer key")]
    [DataRow("Basic " + FullKey, DisplayName = "not a bearer")]
    public async Task An_upgrade_without_a_valid_key_is_refused_with_401_before_the_upgrade(string? authorization)
    {
        var (status, headers) = await UpgradeProbe.StatusAsync(s_gateway.WebSocketUri(DemoAgents.AdaId), o =>
        {
            if (authorization is not null)
            {
                o.SetRequestHeader("Authorization", authorization);
            }
        });
        var (plain, body) = await UpgradeProbe.GetAsync(s_gateway.BaseUri, $"/ws/{DemoAgents.AdaId}", authorization is null ? [] : [("Authorization", authorization)]);

        Assert.AreEqual(HttpStatusCode.Unauthorized, status);
        Assert.AreEqual("Bearer", headers["WWW-Authenticate"].Single());
        Assert.AreEqual(HttpStatusCode.Unauthorized, plain);
        StringAssert.Contains(body, "\"code\":\"unauthorized\"");
    }

    [TestMethod]
    public async Task A_wrong_query_token_is_refused()
    {
        var (status, _) = await UpgradeProbe.StatusAsync(s_gateway.WebSocketUri(DemoAgents.AdaId, "access_token=wrong-key-0123456789abcdef"));

        Assert.AreEqual(HttpStatusCode.Unauthorized, status);
    }

    [TestMethod]
    public async Task A_bearer_key_or_a_query_token_opens_the_socket_and_turns_work()
    {
        await using TestClient header = await TestClient.ConnectAsync(s_gateway.WebSocketUri(DemoAgents.SageId), Bearer(FullKey));
        await using TestClient query = await TestClient.ConnectAsync(s_gateway.WebSocketUri(DemoAgents.AdaId, $"access_token={FullKey}"));

        await query.SendMessageAsync("q", "count to 3");
        Assert.AreEqual("1 2 3", TestClient.Text(await query.ReadTurnAsync("q")));
        await header.SendMessageAsync("h", "count to 2", DemoAgents.AdaId);
        Assert.AreEqual("1 2", TestClient.Text(await header.ReadTurnAsync("h")));
    }

    [TestMethod]
    public async Task A_scoped_key_may_use_its_agents_only()
    {
        var (outside, _) = await UpgradeProbe.StatusAsync(s_gateway.WebSocketUri(DemoAgents.SageId), Bearer(AdaKey));
        var (plain, body) = await UpgradeProbe.GetAsync(s_gateway.BaseUri, $"/ws/{DemoAgents.SageId}", ("Authorization", $"Bearer {AdaKey}"));
        Assert.AreEqual(HttpStatusCode.Forbidden, outside, "a path agent outside the key's scope is refused before the upgrade");
        Assert.AreEqual(HttpStatusCode.Forbidden, plain);
        StringAssert.Contains(body, "\"code\":\"forbidden_agent\"");

        await using TestClient client = await TestClient.ConnectAsync(s_gateway.WebSocketUri(DemoAgents.AdaId), Bearer(AdaKey));
        await client.SendMessageAsync("other", "hi", DemoAgents.SageId);
        ServerFrame refused = (await client.ReadTurnAsync("other"))[^1];
        Assert.AreEqual("invalid_agent_id", refused.Code, "a per-frame agent outside the scope is refused by the session");
        await client.SendMessageAsync("mine", "count to 2");
        Assert.AreEqual("1 2", TestClient.Text(await client.ReadTurnAsync("mine")));
    }

    [TestMethod]
    public async Task The_agents_api_needs_a_key_and_a_scoped_key_sees_its_agents_only()
    {
        var (anonymous, body) = await UpgradeProbe.GetAsync(s_gateway.BaseUri, "/api/agents");
        var (full, all) = await UpgradeProbe.GetAsync(s_gateway.BaseUri, "/api/agents", ("Authorization", $"Bearer {FullKey}"));
        var (scoped, ada) = await UpgradeProbe.GetAsync(s_gateway.BaseUri, $"/api/agents?access_token={AdaKey}");

        Assert.AreEqual(HttpStatusCode.Unauthorized, anonymous);
        StringAssert.Contains(body, "unauthorized");
        Assert.AreEqual(HttpStatusCode.OK, full);
        StringAssert.Contains(all, DemoAgents.SageId);
        Assert.AreEqual(HttpStatusCode.OK, scoped);
        StringAssert.Contains(ada, DemoAgents.AdaId);
        Assert.IsFalse(ada.Contains(DemoAgents.SageId, StringComparison.Ordinal), "agents outside the scope are not listed");
    }

    [TestMethod]
    public async Task The_sse_endpoint_follows_the_same_rules()
    {
        using var http = new HttpClient { BaseAddress = s_gateway.BaseUri, Timeout = TestClient.DefaultTimeout };

        using HttpResponseMessage anonymous = await http.SendAsync(Post(DemoAgents.AdaId, key: null));
        using HttpResponseMessage outside = await http.SendAsync(Post(DemoAgents.SageId, AdaKey));
        using HttpResponseMessage inside = await http.SendAsync(Post(DemoAgents.AdaId, AdaKey));

        Assert.AreEqual(HttpStatusCode.Unauthorized, anonymous.StatusCode);
        Assert.AreEqual(HttpStatusCode.Forbidden, outside.StatusCode);
        StringAssert.Contains(await outside.Content.ReadAsStringAsync(), "forbidden_agent");
        Assert.AreEqual(HttpStatusCode.OK, inside.StatusCode);
        StringAssert.Contains(await inside.Content.ReadAsStringAsync(), "{\"type\":\"done\"");
    }

    [TestMethod]
    public async Task Health_endpoints_need_no_key()
    {
        var (status, _) = await UpgradeProbe.GetAsync(s_gateway.BaseUri, "/healthz");

        Assert.AreEqual(HttpStatusCode.OK, status);
    }

    private static HttpRequestMessage Post(string agentId, string? key)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, "/stream")
        {
            Content = new StringContent($"{{\"agent_id\":\"{agentId}\",\"message\":\"count to 3\"}}", Encoding.UTF8, "application/json"),
        };
        if (key is not null)
        {
            request.Headers.Authorization = new System.Net.Http.Headers.AuthenticationHeaderValue("Bearer", key);
        }

        return request;
    }
}
