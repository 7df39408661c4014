using LettaSockets.Protocol.Json;
using LettaSockets.Simulator;

namespace LettaSockets.Server.Tests.Sockets;

/// <summary>
/// Deltas of one message that Letta delivered together reach a WebSocket client as one frame: the same
/// text, the same last <c>seq</c>, fewer frames (docs/PROTOCOL.md, "Merged deltas"). A delta that came
/// alone is sent at once, not held for the next; <c>Sockets:MaxMergedChunks=1</c> keeps one frame per delta.
/// </summary>
[TestClass]
public sealed class MergedDeltaTests
{
    private const int Words = 2000;
    private static readonly TimeSpan Read = TimeSpan.FromSeconds(30);

    [TestMethod]
    public async Task Deltas_Letta_sent_together_arrive_merged_with_the_same_text_and_last_seq()
    {
        string text = string.Join(' ', Enumerable.Range(1, Words).Select(i => $"w{i}"));
        List<ServerFrame> mergedTurn = await RunAsync(text, maxMergedChunks: null);
        List<ServerFrame> separateTurn = await RunAsync(text, maxMergedChunks: "1");
        (List<ServerFrame> merged, ServerFrame mergedDone) = ([.. mergedTurn.Where(f => f.Type == "chunk")], mergedTurn[^1]);
        (List<ServerFrame> separate, ServerFrame separateDone) = ([.. separateTurn.Where(f => f.Type == "chunk")], separateTurn[^1]);

        Assert.AreEqual(text, TestClient.Text(merged), "merging never changes the text");
        Assert.AreEqual(text, TestClient.Text(separate));
        int deltas = separateDone.Metrics!["chunks"].GetInt32();
        Assert.IsGreaterThanOrEqualTo(Words, deltas, "Letta sent a delta per token");
        Assert.AreEqual(deltas, separate.Count, "MaxMergedChunks=1: one frame per delta");
        Assert.AreEqual(deltas, mergedDone.Metrics!["chunks"].GetInt32(), "metrics.chunks still counts Letta's deltas");
        Assert.IsLessThan(deltas, merged.Count, $"a burst of {deltas} deltas, read together, took fewer frames ({merged.Count})");
        Assert.AreEqual(mergedTurn.Count - 1, mergedDone.Metrics["frames"].GetInt32(), "metrics.frames counts the frames sent before done");
        Assert.IsTrue(merged.All(f => f.Content!.Length <= 16 * 1024), "no merged frame over 16 Ki characters");
        Assert.AreEqual(separate[^1].Seq, merged[^1].Seq, "the last frame carries the last delta's seq");
        CollectionAssert.AreEqual(merged.Select(f => f.Seq).Order().ToList(), merged.Select(f => f.Seq).ToList(), "seqs only grow");
        Assert.IsTrue(merged.All(f => f.MessageId == merged[0].MessageId), "one message");
    }

    [TestMethod]
    public async Task A_delta_that_arrived_alone_is_sent_at_once_not_held_for_the_next()
    {
        await using TestGateway gateway = await TestGateway.StartAsync();
        // The simulator scales pauses by 0.2: the second word comes a minute after the first.
        string agent = gateway.AddAgent(_ => AgentScript.Create().Say("alone").Pause(TimeSpan.FromMinutes(5)).Say(" later"));
        await using TestClient client = await gateway.ConnectAsync(agent);

        await client.SendMessageAsync("m", "go");
        List<ServerFrame> first = await client.ReadUntilAsync(f => f.Type == "chunk", TimeSpan.FromSeconds(20));

        Assert.AreEqual("alone", first[^1].Content, "the first word came while the second was still a minute away");
        await client.SendJsonAsync(new { type = "cancel", id = "m" });
        List<ServerFrame> rest = await client.ReadTurnAsync("m", Read);
        Assert.AreEqual("cancelled", rest[^1].StopReason);
        Assert.IsFalse(rest.Any(f => f.Type == "chunk"), "nothing of the turn after its cancel");
    }

    private static async Task<List<ServerFrame>> RunAsync(string text, string? maxMergedChunks)
    {
        await using TestGateway gateway = await TestGateway.StartAsync(new Dictionary<string, string?> { ["Sockets:MaxMergedChunks"] = maxMergedChunks });
        string agent = gateway.AddAgent(_ => AgentScript.Create().Say(text));
        await using TestClient client = await gateway.ConnectAsync(agent);

        await client.SendJsonAsync(new { type = "message", id = "burst", content = "go", resumable = true });
        List<ServerFrame> turn = await client.ReadTurnAsync("burst", Read);

        Assert.AreEqual("done", turn[^1].Type);
        return turn;
    }
}
