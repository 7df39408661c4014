using System.Text;
using LettaSockets.Client.Internal;
using LettaSockets.Client.Tests.Support;

namespace LettaSockets.Client.Tests.Dotnet;

/// <summary>What the .NET client does with frames a gateway should never send: nothing, and the turn carries on.</summary>
[TestClass]
public sealed class BadFrameTests
{
    [TestMethod]
    public async Task Frames_that_are_not_frames_are_ignored_the_turn_gets_only_its_good_frames_and_nothing_after_done()
    {
        await using FakeGateway server = await FakeGateway.StartAsync(FakeGateway.BadFramesAsync);
        await using LettaSocketsClient client = await LettaSocketsClient.ConnectAsync(server.BaseUri, "agent-fake").WaitAsync(Frames.Wait);

        List<TurnFrame> frames = await Frames.ReadAllBoundedAsync(client.StreamAsync("hello"));

        CollectionAssert.AreEqual(new[] { "chunk", "done" }, frames.Select(f => f.Type).ToArray(), string.Join('\n', frames));
        Assert.AreEqual("ok", Frames.Text(frames));
        Assert.AreEqual(ConnectionState.Live, client.State, "the socket carried on");
        Assert.IsGreaterThan(TimeSpan.Zero, await client.PingAsync().WaitAsync(Frames.Wait));
    }

    [TestMethod]
    public void Reader_reuses_the_id_strings_of_consecutive_frames_and_allocates_the_content()
    {
        var reader = new FrameReader();
        var first = (ChunkFrame)reader.Read("""{"type":"chunk","id":"q1","agent_id":"agent-1","run_id":"run-1","seq":4,"message_id":"m","content":"a"}"""u8)!;
        var second = (ChunkFrame)reader.Read("""{"content":"b","message_id":"m","seq":5,"run_id":"run-1","agent_id":"agent-1","id":"q1","type":"chunk"}"""u8)!;

        Assert.AreSame(first.Id, second.Id);
        Assert.AreSame(first.AgentId, second.AgentId);
        Assert.AreSame(first.RunId, second.RunId);
        Assert.AreSame(first.MessageId, second.MessageId);
        Assert.AreEqual("b", second.Content);
        Assert.AreEqual(5, second.Seq);
    }

    [TestMethod]
    public void Reader_allocates_only_the_frame_and_its_text_for_a_chunk_of_a_known_turn()
    {
        var reader = new FrameReader();
        byte[] chunk = Encoding.UTF8.GetBytes("""{"type":"chunk","id":"web-abc-1","agent_id":"agent-00000000-0000-4000-8000-000000000001","run_id":"run-6b87a3c2-1111-4222-8333-444455556666","seq":41,"message_id":"message-0f1e2d3c","content":"hello"}""");
        Assert.IsNotNull(reader.Read(chunk)); // the ids are read once, then reused

        long before = GC.GetAllocatedBytesForCurrentThread();
        for (int i = 0; i < 1000; i++)
        {
            _ = reader.Read(chunk);
        }

        long perFrame = (GC.GetAllocatedBytesForCurrentThread() - before) / 1000;
        // A ChunkFrame (object header, five references, a long?) and "hello": about 100 bytes on x64.
        Assert.IsLessThanOrEqualTo(128L, perFrame, $"{perFrame} bytes per chunk");
    }

    [TestMethod]
    public void Reader_reads_every_frame_type()
    {
        var reader = new FrameReader();

        var ready = (ReadyFrame)Read(reader, """{"type":"ready","protocol":"letta-sockets.v1","connection_id":"c_1","agent_id":"agent-1","resumable":true,"limits":{"max_frame_bytes":65536,"max_content_chars":32000,"max_active_turns":4},"server":{"name":"LettaSockets","version":"0.1.0","instance":"gw-a"}}""");
        var done = (DoneFrame)Read(reader, """{"type":"done","id":"q1","stop_reason":"cancelled","cancelled_by":"client","usage":{"prompt_tokens":3,"completion_tokens":4,"total_tokens":7,"step_count":1,"future":{"x":1}},"metrics":{"ttft_ms":null,"tokens_per_second":1.5,"duration_ms":12.5,"chunks":2,"frames":3,"output_chars":9}}""");
        var error = (ErrorFrame)Read(reader, """{"type":"error","id":"q2","code":"busy","message":"m","retryable":true,"retry_after_ms":1000,"detail":"q1"}""");
        var result = (ToolResultFrame)Read(reader, """{"type":"tool_result","id":"q1","tool_call_id":"t","name":"roll","status":"success","result":"4","stdout":["a","b"],"stderr":null}""");
        var shutdown = (ShutdownFrame)Read(reader, """{"type":"shutdown","reason":"server_shutdown","resume":[{"id":"q1","run_id":"run-1","after_seq":41}]}""");
        var other = (OtherTurnFrame)Read(reader, """{"type":"history","id":"h1","items":[1,2]}""");

        Assert.IsTrue(ready.Resumable);
        Assert.AreEqual(32000, ready.MaxContentChars);
        Assert.AreEqual("gw-a", ready.ServerInstance);
        Assert.IsTrue(done.IsCancelled);
        Assert.AreEqual(7, done.Usage!.TotalTokens);
        Assert.IsNull(done.Metrics!.TtftMs);
        Assert.AreEqual(3, done.Metrics.Frames);
        Assert.AreEqual(1000, error.RetryAfterMs);
        Assert.IsTrue(error.Retryable);
        CollectionAssert.AreEqual(new[] { "a", "b" }, result.Stdout!.ToArray());
        Assert.IsNull(result.Stderr);
        Assert.AreEqual(new TurnCursor("q1", "run-1", 41), shutdown.Resume.Single());
        Assert.AreEqual("history", other.Type);
        StringAssert.Contains(other.Json, "\"items\":[1,2]");
    }

    [TestMethod]
    [DataRow("")]
    [DataRow("hello")]
    [DataRow("[]")]
    [DataRow("{}")]
    [DataRow("""{"type":null}""")]
    [DataRow("""{"type":"chunk","seq":1.5}""")]
    [DataRow("""{"type":"chunk","id":{}}""")]
    [DataRow("""{"type":"done","usage":[]}""")]
    [DataRow("""{"type":"chunk","content":"unterminated""")]
    public void Reader_returns_null_for_what_is_not_a_frame(string text) =>
        Assert.IsNull(new FrameReader().Read(Encoding.UTF8.GetBytes(text)));

    private static LettaFrame Read(FrameReader reader, string json) =>
        reader.Read(Encoding.UTF8.GetBytes(json)) ?? throw new AssertFailedException($"not read: {json}");
}
