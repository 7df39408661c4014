using LettaSockets.Server.Connections;
using System.Net;
using LettaSockets.Server.Sockets;
using LettaSockets.Simulator;
using Microsoft.Extensions.DependencyInjection;

namespace LettaSockets.Server.Tests.Security;

/// <summary>Connection limits: 503 with Retry-After before the upgrade, and the slot comes back.</summary>
[TestClass]
public sealed class ConnectionLimitTests
{
    [TestMethod]
    public async Task Connections_over_the_per_ip_limit_get_503_with_retry_after_until_one_closes()
    {
        await using TestGateway gateway = await TestGateway.StartAsync(new Dictionary<string, string?>
        {
            ["Limits:MaxConnectionsPerIp"] = "1",
            ["Limits:ConnectionRetryAfter"] = "00:00:07",
        });
        TestClient first = await gateway.ConnectAsync(DemoAgents.AdaId);

        var (status, headers) = await UpgradeProbe.StatusAsync(gateway.WebSocketUri(DemoAgents.AdaId));
        var (plain, body) = await UpgradeProbe.GetAsync(gateway.BaseUri, $"/ws/{DemoAgents.AdaId}", UpgradeProbe.UpgradeHeaders);
        Assert.AreEqual(HttpStatusCode.ServiceUnavailable, status);
        Assert.AreEqual("7", headers["Retry-After"].Single());
        Assert.AreEqual(HttpStatusCode.ServiceUnavailable, plain);
        StringAssert.Contains(body, "\"code\":\"too_many_connections\"");

        await first.DisposeAsync();
        using var timeout = new CancellationTokenSource(TestClient.DefaultTimeout);
        await gateway.Services.GetRequiredService<ConnectionTracker>().WhenEmptyAsync(timeout.Token);
        await using TestClient third = await gateway.ConnectAsync(DemoAgents.AdaId);
        await third.SendMessageAsync("t", "count to 2");
        Assert.AreEqual("1 2", TestClient.Text(await third.ReadTurnAsync("t")));
    }

    [TestMethod]
    public async Task The_global_limit_applies_to_everyone()
    {
        await using TestGateway gateway = await TestGateway.StartAsync(new Dictionary<string, string?> { ["Limits:MaxConnections"] = "1" });
        await using TestClient only = await gateway.ConnectAsync(DemoAgents.AdaId);

        var (status, headers) = await UpgradeProbe.StatusAsync(gateway.WebSocketUri(DemoAgents.SageId));

        Assert.AreEqual(HttpStatusCode.ServiceUnavailable, status);
        Assert.AreEqual("5", headers["Retry-After"].Single(), "the default Retry-After");
        await only.SendMessageAsync("t", "count to 2");
        Assert.AreEqual("1 2", TestClient.Text(await only.ReadTurnAsync("t")), "the admitted connection is unaffected");
    }
}
