using System.Net;
using System.Net.WebSockets;
using LettaSockets.Protocol.Json;
using LettaSockets.Simulator;

namespace LettaSockets.Server.Tests.Hardening;

/// <summary>docs/PROTOCOL.md, rule 5 over the whole <see cref="BadInputCorpus"/>: every bad frame is answered (or
/// the connection closed as documented), nothing else is disturbed, the process stays healthy.</summary>
[TestClass]
public sealed class BadInputCorpusTests
{
    private const int Burst = 10_000;
    private static TestGateway s_gateway = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext _) => s_gateway = await TestGateway.StartAsync();

    [ClassCleanup]
    public static async Task StopAsync() => await s_gateway.DisposeAsync();

    public static IEnumerable<object[]> Names => BadInputCorpus.Names;

    private static async Task SendAsync(TestClient client, BadInputCorpus.Case input)
    {
        using var timeout = new CancellationTokenSource(TestClient.DefaultTimeout);
        int size = input.Fragment > 0 ? input.Fragment : Math.Max(1, input.Payload.Length);
        int offset = 0;
        do
        {
            int count = Math.Min(size, input.Payload.Length - offset);
            bool last = offset + count >= input.Payload.Length;
            await client.Socket.SendAsync(input.Payload.AsMemory(offset, count), input.Type, last, timeout.Token);
            offset += count;
        }
        while (offset < input.Payload.Length);
    }

    [TestMethod]
    public void The_corpus_has_at_least_40_frames() => Assert.IsTrue(BadInputCorpus.Cases.Count >= 40, $"{BadInputCorpus.Cases.Count}");

    [TestMethod]
    [DynamicData(nameof(Names))]
    public async Task Each_bad_frame_gets_its_error_or_a_documented_close(string name)
    {
        BadInputCorpus.Case input = BadInputCorpus.Cases[name];
        await using TestClient client = await s_gateway.ConnectAsync(DemoAgents.AdaId);

        await SendAsync(client, input);

        if (input.Close is { } close)
        {
            Assert.IsNull(await client.TryReceiveAsync(TestClient.DefaultTimeout), "the WebSocket layer closes the connection");
            Assert.AreEqual(close, client.CloseStatus);
            return;
        }

        ServerFrame error = await client.ReceiveAsync();
        Assert.AreEqual("error", error.Type);
        Assert.AreEqual(input.Code, error.Code);
        Assert.IsFalse(string.IsNullOrWhiteSpace(error.Message));
        Assert.IsFalse(error.Message!.Contains("Exception", StringComparison.Ordinal), "no .NET exception text reaches a client");
        await client.BarrierAsync(); // still open and answering
    }

    [TestMethod]
    public async Task The_whole_corpus_and_a_burst_of_10000_bad_frames_leave_a_streaming_neighbour_byte_exact_and_the_process_healthy()
    {
        await using TestClient neighbour = await s_gateway.ConnectAsync(DemoAgents.AdaId);
        await using TestClient noisy = await s_gateway.ConnectAsync(DemoAgents.AdaId);
        await neighbour.SendMessageAsync("n", "count to 600");
        await neighbour.ReadUntilAsync(f => f.Type == "chunk");

        var answered = BadInputCorpus.Cases.Values.Where(c => c.Close is null).ToList();
        int expected = answered.Count + Burst;
        Task<List<ServerFrame>> errors = noisy.ReadUntilAsync(_ => noisy.Received.Count(f => f.Type == "error") == expected, TimeSpan.FromSeconds(60));
        foreach (BadInputCorpus.Case input in answered)
        {
            await SendAsync(noisy, input);
        }

        byte[] junk = "{x"u8.ToArray();
        for (int i = 0; i < Burst; i++)
        {
            await noisy.SendRawAsync(junk, WebSocketMessageType.Text);
        }

        foreach (BadInputCorpus.Case input in BadInputCorpus.Cases.Values.Where(c => c.Close is not null))
        {
            await using TestClient closing = await s_gateway.ConnectAsync(DemoAgents.AdaId);
            await SendAsync(closing, input);
            Assert.IsNull(await closing.TryReceiveAsync(TestClient.DefaultTimeout));
        }

        await neighbour.ReadTurnAsync("n", TimeSpan.FromSeconds(60));
        List<ServerFrame> turn = neighbour.Received.Where(f => f.Id == "n").ToList();
        await errors;

        Assert.AreEqual("done", turn[^1].Type);
        Assert.AreEqual(string.Join(' ', Enumerable.Range(1, 600)), TestClient.Text(turn), "the neighbour's text is byte-exact");
        Assert.AreEqual(expected, noisy.Received.Count(f => f.Type == "error"), "one error per bad frame, none lost, none extra");
        await noisy.SendMessageAsync("after", "count to 3");
        Assert.AreEqual("1 2 3", TestClient.Text(await noisy.ReadTurnAsync("after")), "the noisy connection itself still works");
        var (health, _) = await UpgradeProbe.GetAsync(s_gateway.BaseUri, "/healthz");
        Assert.AreEqual(HttpStatusCode.OK, health);
    }
}
