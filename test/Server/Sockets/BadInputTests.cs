using System.Net.WebSockets;
using System.Text;
using LettaSockets.Protocol.Json;
using LettaSockets.Simulator;

namespace LettaSockets.Server.Tests.Sockets;

/// <summary>docs/PROTOCOL.md, rule 5: bad input gets an error frame and costs nothing else.</summary>
[TestClass]
public sealed class BadInputTests
{
    private static TestGateway s_gateway = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext _) =>
        s_gateway = await TestGateway.StartAsync(new Dictionary<string, string?> { ["Sockets:MaxFrameBytes"] = "4096", ["Sockets:MaxContentChars"] = "1000" });

    [ClassCleanup]
    public static async Task StopAsync() => await s_gateway.DisposeAsync();

    private static async Task AssertStillWorksAsync(TestClient client)
    {
        string id = "ok-" + Guid.NewGuid().ToString("N")[..6];
        await client.SendMessageAsync(id, "count to 20");
        List<ServerFrame> turn = await client.ReadTurnAsync(id);
        Assert.AreEqual("done", turn[^1].Type);
        Assert.AreEqual(string.Join(' ', Enumerable.Range(1, 20)), TestClient.Text(turn));
    }

    [TestMethod]
    [DataRow("{\"type\":\"message\",", "bad_frame")]
    [DataRow("{\"type\":\"teleport\"}", "unknown_type")]
    [DataRow("{\"type\":\"message\",\"id\":\"m\"}", "bad_frame")]
    [DataRow("{\"type\":\"message\",\"content\":42}", "bad_frame")]
    [DataRow("{\"type\":\"cancel\",\"id\":7}", "bad_frame")]
    public async Task Malformed_frames_get_an_error_and_the_socket_stays_usable(string text, string code)
    {
        await using TestClient client = await s_gateway.ConnectAsync(DemoAgents.AdaId);

        await client.SendAsync(text);
        ServerFrame error = await client.ReceiveAsync();

        Assert.AreEqual("error", error.Type);
        Assert.AreEqual(code, error.Code);
        Assert.IsFalse(string.IsNullOrWhiteSpace(error.Message));
        await AssertStillWorksAsync(client);
    }

    [TestMethod]
    public async Task Binary_frames_are_unsupported()
    {
        await using TestClient client = await s_gateway.ConnectAsync(DemoAgents.AdaId);

        await client.SendRawAsync([1, 2, 3, 0, 255], WebSocketMessageType.Binary);

        Assert.AreEqual("unsupported_frame", (await client.ReceiveAsync()).Code);
        await AssertStillWorksAsync(client);
    }

    [TestMethod]
    public async Task Oversized_frames_are_drained_and_rejected()
    {
        await using TestClient client = await s_gateway.ConnectAsync(DemoAgents.AdaId);

        string huge = "{\"type\":\"message\",\"content\":\"" + new string('x', 1024 * 1024) + "\"}";
        await client.SendAsync(huge);

        ServerFrame error = await client.ReceiveAsync();
        Assert.AreEqual("frame_too_large", error.Code);
        await AssertStillWorksAsync(client);
    }

    [TestMethod]
    public async Task Content_over_its_limit_is_content_too_large()
    {
        await using TestClient client = await s_gateway.ConnectAsync(DemoAgents.AdaId);

        await client.SendMessageAsync("big", new string('y', 1001));

        ServerFrame error = await client.ReceiveAsync();
        Assert.AreEqual("content_too_large", error.Code);
        Assert.AreEqual("big", error.Id);
        await AssertStillWorksAsync(client);
    }

    [TestMethod]
    public async Task A_fragmented_frame_is_reassembled()
    {
        await using TestClient client = await s_gateway.ConnectAsync(DemoAgents.AdaId);
        byte[] frame = Encoding.UTF8.GetBytes("{\"type\":\"message\",\"id\":\"frag\",\"content\":\"count to 4\"}");

        using var timeout = new CancellationTokenSource(TestClient.DefaultTimeout);
        await client.Socket.SendAsync(frame.AsMemory(0, 10), WebSocketMessageType.Text, false, timeout.Token);
        await client.Socket.SendAsync(frame.AsMemory(10), WebSocketMessageType.Text, true, timeout.Token);

        Assert.AreEqual("1 2 3 4", TestClient.Text(await client.ReadTurnAsync("frag")));
    }

    [TestMethod]
    public async Task Bad_input_on_one_connection_does_not_disturb_a_neighbour()
    {
        await using TestClient neighbour = await s_gateway.ConnectAsync(DemoAgents.AdaId);
        await using TestClient noisy = await s_gateway.ConnectAsync(DemoAgents.AdaId);

        await neighbour.SendMessageAsync("n", "count to 500");
        for (int i = 0; i < 200; i++)
        {
            await noisy.SendAsync(i % 2 == 0 ? "{oops" : "{\"type\":\"nope\"}");
        }

        List<ServerFrame> turn = await neighbour.ReadTurnAsync("n");
        Assert.AreEqual(string.Join(' ', Enumerable.Range(1, 500)), TestClient.Text(turn));
        List<ServerFrame> errors = await noisy.ReadUntilAsync(_ => noisy.Received.Count(f => f.Type == "error") == 200);
        Assert.AreEqual(200, noisy.Received.Count(f => f.Type == "error"));
    }
}
