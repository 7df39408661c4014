using System.Net;
using LettaSockets.Simulator;

namespace LettaSockets.Server.Tests.Security;

/// <summary>The Origin allow-list: browsers on other sites cannot hijack a socket (docs/PROTOCOL.md, "Connecting").</summary>
[TestClass]
public sealed class OriginTests
{
    private const string Key = "origin-key-0123456789abcdef";
    private static TestGateway s_default = null!;
    private static TestGateway s_listed = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext _)
    {
        s_default = await TestGateway.StartAsync();
        s_listed = await TestGateway.StartAsync(new Dictionary<string, string?>
        {
            ["Auth:AllowedOrigins:0"] = "https://chat.example.com",
            ["Auth:ApiKeys:0:Key"] = Key,
        });
    }

    [ClassCleanup]
    public static async Task StopAsync()
    {
        await s_default.DisposeAsync();
        await s_listed.DisposeAsync();
    }

    private static Task<(HttpStatusCode Status, IReadOnlyDictionary<string, IEnumerable<string>> Headers)> UpgradeAsync(TestGateway gateway, string? origin, string? key = null) =>
        UpgradeProbe.StatusAsync(gateway.WebSocketUri(DemoAgents.AdaId, key is null ? null : $"access_token={key}"), o =>
        {
            if (origin is not null)
            {
                o.SetRequestHeader("Origin", origin);
            }
        });

    [TestMethod]
    [DataRow("https://evil.example", HttpStatusCode.Forbidden)]
    [DataRow("null", HttpStatusCode.Forbidden)]
    [DataRow("http://localhost:3000", HttpStatusCode.SwitchingProtocols)]
    [DataRow("http://127.0.0.1:5173", HttpStatusCode.SwitchingProtocols)]
    [DataRow("https://[::1]:8443", HttpStatusCode.SwitchingProtocols)]
    [DataRow(null, HttpStatusCode.SwitchingProtocols)]
    public async Task By_default_local_pages_and_non_browsers_may_connect_other_sites_may_not(string? origin, HttpStatusCode expected)
    {
        var (status, _) = await UpgradeAsync(s_default, origin);

        Assert.AreEqual(expected, status);
    }

    [TestMethod]
    public async Task A_foreign_origin_gets_a_json_403_on_the_api_too()
    {
        var (status, body) = await UpgradeProbe.GetAsync(s_default.BaseUri, "/api/agents", ("Origin", "https://evil.example"));

        Assert.AreEqual(HttpStatusCode.Forbidden, status);
        StringAssert.Contains(body, "\"code\":\"forbidden_origin\"");
    }

    [TestMethod]
    public async Task A_configured_list_replaces_the_localhost_default_but_the_own_origin_stays_allowed()
    {
        string own = s_listed.BaseUri.GetLeftPart(UriPartial.Authority);

        Assert.AreEqual(HttpStatusCode.SwitchingProtocols, (await UpgradeAsync(s_listed, "https://chat.example.com", Key)).Status);
        Assert.AreEqual(HttpStatusCode.SwitchingProtocols, (await UpgradeAsync(s_listed, own, Key)).Status, "the gateway's own page");
        Assert.AreEqual(HttpStatusCode.Forbidden, (await UpgradeAsync(s_listed, "http://localhost:3000", Key)).Status);
        Assert.AreEqual(HttpStatusCode.Forbidden, (await UpgradeAsync(s_listed, "https://chat.example.com.evil.example", Key)).Status);
    }

    [TestMethod]
    public async Task A_valid_key_does_not_let_a_foreign_page_in()
    {
        var (status, _) = await UpgradeAsync(s_listed, "https://evil.example", Key);

        Assert.AreEqual(HttpStatusCode.Forbidden, status);
    }
}
