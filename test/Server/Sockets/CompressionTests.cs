using System.Net.WebSockets;
using LettaSockets.Simulator;

namespace LettaSockets.Server.Tests.Sockets;

/// <summary>permessage-deflate: opt-in on the server, negotiated only with clients that offer it.</summary>
[TestClass]
public sealed class CompressionTests
{
    private static TestGateway s_on = null!;
    private static TestGateway s_off = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext _)
    {
        Task<TestGateway> on = TestGateway.StartAsync(new Dictionary<string, string?> { ["Sockets:Compression"] = "true" });
        Task<TestGateway> off = TestGateway.StartAsync();
        (s_on, s_off) = (await on, await off);
    }

    [ClassCleanup]
    public static async Task StopAsync()
    {
        await s_on.DisposeAsync();
        await s_off.DisposeAsync();
    }

    private static void Offer(ClientWebSocketOptions options)
    {
        options.DangerousDeflateOptions = new WebSocketDeflateOptions();
        options.CollectHttpResponseDetails = true;
    }

    private static string? Extensions(TestClient client) =>
        client.Socket.HttpResponseHeaders?.TryGetValue("Sec-WebSocket-Extensions", out IEnumerable<string>? values) == true ? string.Join(",", values) : null;

    [TestMethod]
    public async Task It_is_negotiated_when_enabled_and_offered_and_the_turn_streams_intact()
    {
        const string text = "Compressed words repeat, and repeat, and repeat: compression loves repetition.";
        string agent = s_on.AddAgent(_ => AgentScript.Create().Say(text));
        await using TestClient client = await s_on.ConnectAsync(agent, Offer);

        StringAssert.Contains(Extensions(client), "permessage-deflate");
        StringAssert.Contains(Extensions(client), "server_no_context_takeover", "no deflate state is kept per idle socket");
        await client.SendMessageAsync("z", "go");
        var turn = await client.ReadTurnAsync("z");
        Assert.AreEqual("done", turn[^1].Type);
        Assert.AreEqual(text, TestClient.Text(turn));
    }

    [TestMethod]
    public async Task It_is_not_negotiated_with_a_client_that_does_not_offer_it()
    {
        await using TestClient client = await s_on.ConnectAsync(DemoAgents.AdaId, o => o.CollectHttpResponseDetails = true);

        Assert.IsNotNull(client.Socket.HttpResponseHeaders, "the response headers were collected");
        Assert.IsNull(Extensions(client));
    }

    [TestMethod]
    public async Task It_is_off_by_default_even_when_offered()
    {
        await using TestClient client = await s_off.ConnectAsync(DemoAgents.AdaId, Offer);

        Assert.IsNotNull(client.Socket.HttpResponseHeaders, "the response headers were collected");
        Assert.IsNull(Extensions(client));
        await client.SendMessageAsync("plain", "count to 3");
        Assert.AreEqual("done", (await client.ReadTurnAsync("plain"))[^1].Type);
    }
    [TestMethod]
    public async Task Keeping_the_deflate_context_is_an_operator_choice()
    {
        await using TestGateway keeps = await TestGateway.StartAsync(new Dictionary<string, string?> { ["Sockets:Compression"] = "true", ["Sockets:CompressionKeepsContext"] = "true" });
        string agent = keeps.AddAgent(_ => AgentScript.Create().Say("kept"));
        await using TestClient client = await keeps.ConnectAsync(agent, Offer);

        StringAssert.Contains(Extensions(client), "permessage-deflate");
        Assert.IsFalse(Extensions(client)!.Contains("server_no_context_takeover", StringComparison.Ordinal), "the context is kept between messages");
        await client.SendMessageAsync("k", "go");
        Assert.AreEqual("kept", TestClient.Text(await client.ReadTurnAsync("k")));
    }
}
