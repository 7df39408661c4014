using System.Diagnostics;
using System.Text;
using System.Text.Json;
using LettaSockets.Protocol.Chunks;
using LettaSockets.Protocol.Frames;
using LettaSockets.Protocol.Json;
using LettaSockets.Protocol.Serialization;

namespace LettaSockets.Protocol.Tests.Serialization;

[TestClass]
public sealed class FrameSerializerTests
{
    private static TurnInfo Turn(bool resumable = false) => new("r1", "agent-1", resumable, Stopwatch.GetTimestamp()) { RunId = "run-1" };

    private static ServerFrame Read(ReadOnlyMemory<byte> bytes) => ServerFrame.Parse(bytes.Span);

    [TestMethod]
    public void Chunk_frame_carries_turn_identity_and_content()
    {
        using var serializer = new FrameSerializer();

        ServerFrame f = Read(serializer.Write(StreamChunk.Text(Turn(), "otid-1", "Hello \"world\" ✓ 😀")));

        Assert.AreEqual("chunk", f.Type);
        Assert.AreEqual("r1", f.Id);
        Assert.AreEqual("agent-1", f.AgentId);
        Assert.AreEqual("run-1", f.RunId);
        Assert.AreEqual("otid-1", f.MessageId);
        Assert.AreEqual("Hello \"world\" ✓ 😀", f.Content);
        Assert.IsNull(f.Seq);
    }

    [TestMethod]
    public void Merged_deltas_concatenate_exactly_and_carry_the_last_seq()
    {
        using var serializer = new FrameSerializer();
        TurnInfo turn = Turn(resumable: true);
        var a = StreamChunk.Text(turn, "m", "a\"b", seq: 4);
        var b = StreamChunk.Text(turn, "m", "\\c😀", seq: 5);
        var c = StreamChunk.Text(turn, "m", "", seq: 6);

        Assert.IsTrue(a.CanMergeWith(b));
        serializer.BeginDelta(a);
        serializer.AppendDelta(b);
        serializer.AppendDelta(c);
        ServerFrame f = Read(serializer.EndDelta());

        Assert.AreEqual("a\"b\\c😀", f.Content);
        Assert.AreEqual(6L, f.Seq);
    }

    [TestMethod]
    public void Deltas_of_other_messages_or_kinds_do_not_merge()
    {
        TurnInfo turn = Turn();
        var text = StreamChunk.Text(turn, "m1", "x");

        Assert.IsFalse(text.CanMergeWith(StreamChunk.Text(turn, "m2", "y")));
        Assert.IsFalse(text.CanMergeWith(StreamChunk.Reasoning(turn, "m1", "y", hidden: false)));
        Assert.IsFalse(text.CanMergeWith(StreamChunk.Text(Turn(), "m1", "y")));
        Assert.IsFalse(StreamChunk.StatusFrame(turn, StatusKind.Working).CanMergeWith(StreamChunk.StatusFrame(turn, StatusKind.Working)));
    }

    [TestMethod]
    public void Tool_call_name_only_when_given()
    {
        using var serializer = new FrameSerializer();
        TurnInfo turn = Turn();

        ServerFrame first = Read(serializer.Write(StreamChunk.ToolCall(turn, "call_1", "roll_dice", "{\"n\":")));
        Assert.AreEqual("roll_dice", first.Name);
        Assert.AreEqual("{\"n\":", first.Arguments);

        ServerFrame next = Read(serializer.Write(StreamChunk.ToolCall(turn, "call_1", null, "6}")));
        Assert.IsNull(next.Name);
        Assert.AreEqual("call_1", next.ToolCallId);
    }

    [TestMethod]
    public void Done_frame_has_usage_and_metrics()
    {
        using var serializer = new FrameSerializer();
        TurnInfo turn = Turn();
        var usage = new UsageInfo { PromptTokens = 10, CompletionTokens = 20, TotalTokens = 30, StepCount = 1 };
        var done = new DoneInfo(StopReasons.Cancelled, CancelledBy.Client, usage, turn.StartedTimestamp + Stopwatch.Frequency)
        {
            Metrics = new TurnMetrics(FirstContentTimestamp: turn.StartedTimestamp + (Stopwatch.Frequency / 10), Chunks: 12, Frames: 9, OutputChars: 48),
        };

        ServerFrame f = Read(serializer.Write(StreamChunk.Done(turn, done)));

        Assert.AreEqual("done", f.Type);
        Assert.AreEqual("cancelled", f.StopReason);
        Assert.AreEqual("client", f.CancelledBy);
        Assert.AreEqual(30, f.Usage!["total_tokens"].GetInt32());
        Assert.AreEqual(100d, f.Metrics!["ttft_ms"].GetDouble(), 0.5);
        Assert.AreEqual(1000d, f.Metrics["duration_ms"].GetDouble(), 0.5);
        Assert.AreEqual(12, f.Metrics["chunks"].GetInt32());
        Assert.AreEqual(9, f.Metrics["frames"].GetInt32());
        Assert.AreEqual(48, f.Metrics["output_chars"].GetInt32());
        Assert.AreEqual(20 / 0.9, f.Metrics["tokens_per_second"].GetDouble(), 0.1);
    }

    [TestMethod]
    public void Error_frame_for_a_rejected_request_carries_its_id()
    {
        using var serializer = new FrameSerializer();
        var error = new ErrorInfo(ErrorCodes.RateLimited, "slow down", true) { Id = "r7", RetryAfterMs = 1500, Detail = "d" };

        ServerFrame f = Read(serializer.Write(StreamChunk.Failure(null, error)));

        Assert.AreEqual("error", f.Type);
        Assert.AreEqual("r7", f.Id);
        Assert.AreEqual("rate_limited", f.Code);
        Assert.IsTrue(f.Retryable);
        Assert.AreEqual(1500L, f.RetryAfterMs);
    }

    [TestMethod]
    public void Ready_status_pong_and_shutdown_frames()
    {
        using var serializer = new FrameSerializer();

        ServerFrame ready = Read(serializer.Write(StreamChunk.ReadyFrame(new ReadyInfo("c_1", "agent-1", true, 1000, 200, 3, "1.2.3"))));
        Assert.AreEqual("letta-sockets.v1", ready.Protocol);
        Assert.AreEqual(1000, ready.Limits!["max_frame_bytes"].GetInt32());
        Assert.AreEqual("1.2.3", ready.Server!["version"].GetString());

        ServerFrame working = Read(serializer.Write(StreamChunk.StatusFrame(Turn(), StatusKind.Working, elapsedMs: 20500)));
        Assert.AreEqual("working", working.Status);
        Assert.AreEqual(20500L, working.ElapsedMs);

        Assert.AreEqual("p1", Read(serializer.Write(StreamChunk.Pong("p1"))).Id);

        ServerFrame shutdown = Read(serializer.Write(StreamChunk.ShutdownFrame(new ShutdownInfo("restart", [new ResumeCursor("r1", "run-1", 0)]))));
        Assert.AreEqual(0L, shutdown.Resume![0].AfterSeq);
    }

    [TestMethod]
    public void Every_frame_is_one_compact_json_object()
    {
        using var serializer = new FrameSerializer();
        string json = Encoding.UTF8.GetString(serializer.Write(StreamChunk.Text(Turn(), "m", "x")).Span);

        using JsonDocument doc = JsonDocument.Parse(json);
        Assert.AreEqual(JsonValueKind.Object, doc.RootElement.ValueKind);
        Assert.IsFalse(json.Contains(' '), json);
    }

    [TestMethod]
    public void History_frame_carries_each_message_as_its_live_frame()
    {
        using var serializer = new FrameSerializer();
        HistoryItem[] messages =
        [
            new("user_message", "m-user", "run-1", "2026-12-05T10:00:00Z", "Roll a die"),
            new("tool_call", "m-call", "run-1", null, "{\"sides\":6}") { Name = "roll", ToolCallId = "call_1" },
            new("tool_result", "m-ret", "run-1", null, "4") { Name = "roll", ToolCallId = "call_1", Status = "success" },
            new("reasoning", "m-think", "run-1", null, "") { Hidden = true },
            new("chunk", "m-say", "run-1", null, "You rolled 4."),
        ];

        ServerFrame f = Read(serializer.Write(StreamChunk.HistoryFrame(new HistoryInfo("h", "agent-1", null, messages, HasMore: true, Before: "message-0"))));

        Assert.AreEqual("history", f.Type);
        Assert.IsTrue(f.IsTerminal, "the answer ends the request");
        Assert.AreEqual("h", f.Id);
        Assert.IsNull(f.ConversationId);
        Assert.IsTrue(f.HasMore);
        Assert.AreEqual("message-0", f.Before);
        List<ServerFrame> stored = f.Messages!;
        CollectionAssert.AreEqual(new[] { "user_message", "tool_call", "tool_result", "reasoning", "chunk" }, stored.Select(m => m.Type).ToList());
        Assert.AreEqual("Roll a die", stored[0].Content);
        Assert.AreEqual("2026-12-05T10:00:00Z", stored[0].Date);
        Assert.AreEqual("{\"sides\":6}", stored[1].Arguments);
        Assert.AreEqual("roll", stored[1].Name);
        Assert.AreEqual("4", stored[2].Result);
        Assert.AreEqual("success", stored[2].Status);
        Assert.IsTrue(stored[3].Hidden);
        Assert.AreEqual("m-say", stored[4].MessageId);
        Assert.AreEqual("run-1", stored[4].RunId);
    }
}
