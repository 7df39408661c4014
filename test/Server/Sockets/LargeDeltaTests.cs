using LettaSockets.Protocol.Json;
using LettaSockets.Server.Sockets;
using LettaSockets.Simulator;

namespace LettaSockets.Server.Tests.Sockets;

/// <summary>
/// A delta larger than a merged frame (16 Ki characters) goes out as several frames: what the writer holds
/// while a send is pending stays small whatever Letta sends, the text arrives whole and in order, and
/// only the frame that completes the delta carries its <c>seq</c> (a cursor never skips text).
/// </summary>
[TestClass]
public sealed class LargeDeltaTests
{
    private const int MaxFrameChars = 16 * 1024;

    [TestMethod]
    public async Task A_delta_larger_than_a_frame_arrives_in_pieces_with_its_seq_on_the_last()
    {
        const int DeltaChars = 40_000;
        await using TestGateway gateway = await TestGateway.StartAsync();
        string agent = gateway.AddAgent(_ => AgentScript.Create().TimestampedDeltas(2, size: DeltaChars));
        await using TestClient client = await gateway.ConnectAsync(agent);

        await client.SendJsonAsync(new { type = "message", id = "big", content = "go", resumable = true });
        List<ServerFrame> turn = await client.ReadTurnAsync("big", TimeSpan.FromSeconds(30));

        Assert.AreEqual("done", turn[^1].Type);
        List<ServerFrame> chunks = [.. turn.Where(f => f.Type == "chunk")];
        Assert.AreEqual(2 * DeltaChars, TestClient.Text(turn).Length, "the whole text arrived");
        Assert.IsTrue(chunks.All(f => f.Content!.Length <= MaxFrameChars), $"no frame over {MaxFrameChars} characters: {string.Join(", ", chunks.Select(f => f.Content!.Length))}");
        Assert.IsGreaterThanOrEqualTo(6, chunks.Count, "each 40,000-character delta took three frames at least");

        // The frames carrying a seq end exactly where a delta ends.
        int offset = 0;
        var ends = new List<int>();
        long lastSeq = -1;
        foreach (ServerFrame chunk in chunks)
        {
            offset += chunk.Content!.Length;
            if (chunk.Seq is { } seq)
            {
                Assert.IsGreaterThan(lastSeq, seq, "seqs only grow");
                lastSeq = seq;
                ends.Add(offset);
            }
        }

        CollectionAssert.AreEqual(new[] { DeltaChars, 2 * DeltaChars }, ends, "a seq only on the frame that completes its delta");
    }

    [TestMethod]
    public void A_piece_never_ends_inside_a_surrogate_pair()
    {
        string text = new string('a', MaxFrameChars - 1) + "\U0001F600" + "b"; // the emoji straddles the cut

        int first = SocketSession.PieceLength(text, 0, MaxFrameChars);
        int second = SocketSession.PieceLength(text, first, MaxFrameChars);

        Assert.AreEqual(MaxFrameChars - 1, first, "the cut moves before the pair");
        Assert.AreEqual(3, second, "the pair and the rest go next");
        Assert.AreEqual(MaxFrameChars, SocketSession.PieceLength(new string('a', MaxFrameChars * 2), 0, MaxFrameChars));
    }
}
