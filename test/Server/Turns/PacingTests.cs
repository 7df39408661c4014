using LettaSockets.Server.Connections;
using System.Globalization;
using LettaSockets.Protocol.Json;
using LettaSockets.Server.Sockets;
using LettaSockets.Server.Turns;
using LettaSockets.Simulator;

namespace LettaSockets.Server.Tests.Turns;

/// <summary><c>max_chars_per_second</c>: a steady rhythm out of Letta's bursts, cancel still immediate.</summary>
[TestClass]
public sealed class PacingTests
{
    private static TestGateway s_gateway = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext _) => s_gateway = await TestGateway.StartAsync();

    [ClassCleanup]
    public static async Task StopAsync() => await s_gateway.DisposeAsync();

    [TestMethod]
    public async Task Text_is_released_at_the_requested_rate_in_whole_text_elements()
    {
        // ~120 characters that Letta sends in one burst, emoji sequences included.
        string text = string.Concat(Enumerable.Range(1, 12).Select(i => $"word{i:00} 👩‍👩‍👧 ")) + "end.";
        string agent = s_gateway.AddAgent(_ => AgentScript.Create().Say(text));
        await using TestClient client = await s_gateway.ConnectAsync(agent);

        await client.SendJsonAsync(new { type = "message", id = "p", content = "go", max_chars_per_second = 100 });
        var arrivals = new List<string>();
        ServerFrame frame;
        do
        {
            frame = await client.ReceiveAsync();
            if (frame.Type == "chunk")
            {
                arrivals.Add(frame.Content!);
            }
        }
        while (!frame.IsTerminal);

        Assert.AreEqual("done", frame.Type);
        Assert.AreEqual(text, string.Concat(arrivals), "pacing loses and reorders nothing");
        HashSet<int> boundaries = [.. StringInfo.ParseCombiningCharacters(text), text.Length];
        int offset = 0;
        foreach (string content in arrivals)
        {
            offset += content.Length;
            Assert.IsTrue(boundaries.Contains(offset), $"a frame ends inside a text element at {offset}");
        }

        // The rate and the size of each release are checked on a fake clock (PacerClockTests): over a
        // socket, the writer may merge released pieces that queue up on a loaded machine.
    }

    [TestMethod]
    public async Task Cancel_during_pacing_ends_the_turn_at_once()
    {
        string text = string.Join(' ', Enumerable.Range(1, 200).Select(i => $"w{i}"));
        string agent = s_gateway.AddAgent(_ => AgentScript.Create().Say(text));
        await using TestClient client = await s_gateway.ConnectAsync(agent);

        await client.SendJsonAsync(new { type = "message", id = "slow", content = "go", max_chars_per_second = 20 });
        await client.ReadUntilAsync(f => f.Type == "chunk");
        await client.ReadUntilAsync(f => f.Type == "chunk");
        await client.CancelAsync("slow");
        ServerFrame done = (await client.ReadUntilAsync(f => f.Id == "slow" && f.IsTerminal, TimeSpan.FromSeconds(5)))[^1];
        await client.BarrierAsync();

        Assert.AreEqual("done", done.Type);
        Assert.AreEqual("cancelled", done.StopReason);
        Assert.AreEqual("client", done.CancelledBy);
        Assert.IsFalse(client.Received.SkipWhile(f => f != done).Skip(1).Any(f => f.Id == "slow"), "no chunk after done");
        Assert.IsTrue(TestClient.Text(client.Received.Where(f => f.Id == "slow")).Length < text.Length / 2);
    }

    [TestMethod]
    public async Task A_paced_turn_is_busy_until_its_text_is_out()
    {
        string agent = s_gateway.AddAgent(_ => AgentScript.Create().Say("one two three four five six"));
        await using TestClient client = await s_gateway.ConnectAsync(agent);

        await client.SendJsonAsync(new { type = "message", id = "a", content = "go", max_chars_per_second = 25 });
        await client.ReadUntilAsync(f => f.Type == "chunk");
        await client.SendMessageAsync("b", "again");
        List<ServerFrame> frames = await client.ReadUntilAsync(f => f.Id == "b" && f.IsTerminal);

        Assert.AreEqual("busy", frames[^1].Code, "the agent is still answering on this connection while its text is paced");
        List<ServerFrame> first = await client.ReadTurnAsync("a");
        Assert.AreEqual("end_turn", first[^1].StopReason);
    }

    [TestMethod]
    [DataRow(null, null, null, null)]
    [DataRow(null, 40.0, null, 40.0)]
    [DataRow(200.0, 40.0, null, 200.0)]
    [DataRow(500.0, null, 120.0, 120.0)]
    [DataRow(null, 300.0, 120.0, 120.0)]
    [DataRow(0.01, null, null, TurnPacer.MinCharsPerSecond)]
    public void The_rate_is_the_clients_else_the_default_capped_by_the_limit(double? requested, double? serverDefault, double? limit, double? expected)
    {
        var options = new SocketOptions { DefaultMaxCharsPerSecond = serverDefault, MaxCharsPerSecondLimit = limit };
        Assert.AreEqual(expected, TurnPacer.ResolveRate(requested, options.DefaultMaxCharsPerSecond, options.MaxCharsPerSecondLimit));
    }
}
