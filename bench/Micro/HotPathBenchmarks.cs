using System.Diagnostics;
using System.Globalization;
using System.Text;
using BenchmarkDotNet.Attributes;
using LettaSockets.Protocol.Chunks;
using LettaSockets.Protocol.Serialization;
using LettaSockets.Server.Letta;
using LettaSockets.Server.Turns;
using LettaSockets.Server.Upstream;

namespace LettaSockets.Bench.Micro;

/// <summary>
/// The gateway's per-delta hot path, stage by stage and end to end: SSE event bytes → <see cref="LettaEvent"/>
/// (<see cref="LettaEventParser"/>) → <see cref="StreamChunk"/> (<see cref="LettaChunkMapper"/>) → frame
/// bytes (<see cref="FrameSerializer"/>). The events are the simulator's token-mode assistant deltas,
/// byte for byte in Letta's shape (reference §5.1).
/// </summary>
[MemoryDiagnoser]
public class HotPathBenchmarks
{
    public const int StreamEvents = 1_000;
    public const int Merged = 16;

    private const string RunId = "run-6f1e2d3c-4b5a-4968-8776-5a4b3c2d1e0f";
    private const string MessageId = "message-1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c5d";
    private const string Otid = "1a2b3c4d-5e6f-4a7b-8c9d-0e1f2a3b4c00";
    private const string StepId = "step-9f8e7d6c-5b4a-4392-8170-6f5e4d3c2b1a";

    private byte[] _event = [];
    private byte[] _sse = [];
    private LettaEventParser _parser = null!;
    private LettaEvent _parsed;
    private LettaChunkMapper _mapper = null!;
    private readonly List<StreamChunk> _frames = new(4);
    private StreamChunk _chunk;
    private StreamChunk[] _deltas = [];
    private FrameSerializer _serializer = null!;

    /// <summary>One <c>data:</c> payload, as the simulator renders it for the Bench agent.</summary>
    public static string AssistantEvent(long timestamp) =>
        $$"""{"id":"{{MessageId}}","date":"2026-05-20T09:14:03+00:00","name":null,"message_type":"assistant_message","otid":"{{Otid}}","sender_id":null,"step_id":"{{StepId}}","is_err":null,"seq_id":null,"run_id":"{{RunId}}","content":"{{Delta(timestamp)}}"}""";

    [GlobalSetup]
    public void Setup()
    {
        long now = Stopwatch.GetTimestamp();
        _event = Encoding.UTF8.GetBytes(AssistantEvent(now));
        var sse = new StringBuilder();
        sse.Append(CultureInfo.InvariantCulture, $$"""data: {"id":"ping-0b7f6c1e-2a43-4d5e-9f60-7a8b9c0d1e2f","date":"2026-05-20T09:14:03+00:00","name":null,"message_type":"ping","otid":null,"sender_id":null,"step_id":null,"is_err":null,"seq_id":null,"run_id":"{{RunId}}"}""").Append("\n\n");
        for (int i = 0; i < StreamEvents; i++)
        {
            sse.Append("data: ").Append(AssistantEvent(now + i)).Append("\n\n");
        }

        sse.Append("data: {\"message_type\":\"stop_reason\",\"stop_reason\":\"end_turn\"}\n\n");
        sse.Append("data: {\"message_type\":\"usage_statistics\",\"completion_tokens\":1000,\"prompt_tokens\":16,\"total_tokens\":1016,\"step_count\":1,\"run_ids\":null,\"cached_input_tokens\":null,\"cache_write_tokens\":null,\"reasoning_tokens\":null,\"context_tokens\":null}\n\n");
        sse.Append("data: [DONE]\n\n");
        _sse = Encoding.UTF8.GetBytes(sse.ToString());

        _parser = new LettaEventParser();
        _parsed = _parser.Parse("message", _event);
        _mapper = new LettaChunkMapper(NewTurn());
        _frames.Clear();
        _mapper.Map(_parsed, _frames); // announces the run once; later calls map the delta only
        _chunk = _frames[^1];
        _deltas = Enumerable.Range(0, Merged).Select(i => StreamChunk.Text(_chunk.Turn!, Otid, Delta(now + i))).ToArray();
        _serializer = new FrameSerializer();
    }

    [GlobalCleanup]
    public void Cleanup() => _serializer.Dispose();

    [Benchmark(Description = "parse: SSE data → LettaEvent")]
    public LettaEvent Parse() => _parser.Parse("message", _event);

    [Benchmark(Description = "map: LettaEvent → StreamChunk")]
    public int Map()
    {
        _frames.Clear();
        _mapper.Map(_parsed, _frames);
        return _frames.Count;
    }

    [Benchmark(Description = "serialize: StreamChunk → frame")]
    public int Serialize() => _serializer.Write(_chunk).Length;

    [Benchmark(Description = "serialize, 16 deltas merged into one frame", OperationsPerInvoke = Merged)]
    public int SerializeMerged()
    {
        _serializer.BeginDelta(_deltas[0]);
        for (int i = 1; i < _deltas.Length; i++)
        {
            _serializer.AppendDelta(_deltas[i]);
        }

        return _serializer.EndDelta().Length;
    }

    /// <summary>What the SSE read costs per event when every read has to wait for Letta (low rates: each
    /// event arrives on its own): the stream hands out one event per read, each after a yield, so every
    /// read completes asynchronously. The stream's own cost is the same in both; the difference is the reader's.</summary>
    [Benchmark(Description = "SSE read, one event per waiting read: System.Net.ServerSentEvents.SseParser (before)", OperationsPerInvoke = StreamEvents)]
    public async Task<int> WaitingReadsSseParser()
    {
        int events = 0;
        var parser = new LettaEventParser();
        await foreach (System.Net.ServerSentEvents.SseItem<LettaEvent> item in System.Net.ServerSentEvents.SseParser.Create(new EventPerReadStream(_sse), parser.Parse).EnumerateAsync().ConfigureAwait(false))
        {
            events += item.Data.Kind == LettaEventKind.Other ? 0 : 1;
        }

        return events;
    }

    [Benchmark(Description = "SSE read, one event per waiting read: SseEventReader in LettaStream (now)", OperationsPerInvoke = StreamEvents)]
    public async Task<int> WaitingReadsLettaStream()
    {
        int events = 0;
        var response = new HttpResponseMessage { Content = new StreamContent(new EventPerReadStream(_sse)) };
        await using var stream = new LettaStream(response, TimeProvider.System, TimeSpan.FromMinutes(1));
        await foreach (LettaEvent e in stream.ReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            events += e.Kind == LettaEventKind.Other ? 0 : 1;
        }

        return events;
    }

    [Benchmark(Description = "end to end: SSE stream → LettaStream → map → frames", OperationsPerInvoke = StreamEvents)]
    public async Task<long> StreamToFrames()
    {
        var response = new HttpResponseMessage { Content = new ByteArrayContent(_sse) };
        await using var stream = new LettaStream(response, TimeProvider.System, TimeSpan.FromMinutes(1));
        var mapper = new LettaChunkMapper(NewTurn());
        long bytes = 0;
        await foreach (LettaEvent e in stream.ReadAsync(CancellationToken.None).ConfigureAwait(false))
        {
            _frames.Clear();
            mapper.Map(e, _frames);
            foreach (StreamChunk frame in _frames)
            {
                bytes += _serializer.Write(frame).Length;
            }
        }

        return bytes;
    }

    private static TurnState NewTurn() => new("c_bench-1", LettaSockets.Simulator.DemoAgents.BenchId, resumable: false, Stopwatch.GetTimestamp());

    private static string Delta(long timestamp)
    {
        string text = timestamp.ToString(CultureInfo.InvariantCulture) + "|";
        return text.Length >= 16 ? text : text.PadRight(16, 'x');
    }

    /// <summary>A body that returns one SSE event (up to its blank line) per read, each read completing
    /// asynchronously, as a socket does when every event arrives on its own.</summary>
    private sealed class EventPerReadStream(byte[] sse) : Stream
    {
        private int _position;

        public override bool CanRead => true;
        public override bool CanSeek => false;
        public override bool CanWrite => false;
        public override long Length => sse.Length;
        public override long Position { get => _position; set => throw new NotSupportedException(); }

        public override async ValueTask<int> ReadAsync(Memory<byte> buffer, CancellationToken cancellationToken = default)
        {
            await Task.Yield();
            int end = sse.AsSpan(_position).IndexOf("\n\n"u8);
            int length = Math.Min(end < 0 ? sse.Length - _position : end + 2, buffer.Length);
            sse.AsSpan(_position, length).CopyTo(buffer.Span);
            _position += length;
            return length;
        }

        public override Task<int> ReadAsync(byte[] buffer, int offset, int count, CancellationToken cancellationToken) =>
            ReadAsync(buffer.AsMemory(offset, count), cancellationToken).AsTask();

        public override int Read(byte[] buffer, int offset, int count) => throw new NotSupportedException();
        public override void Flush() { }
        public override long Seek(long offset, SeekOrigin origin) => throw new NotSupportedException();
        public override void SetLength(long value) => throw new NotSupportedException();
        public override void Write(byte[] buffer, int offset, int count) => throw new NotSupportedException();
    }
}
