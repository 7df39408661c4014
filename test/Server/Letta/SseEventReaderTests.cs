using System.Net.ServerSentEvents;
using System.Text;
using CsCheck;
using LettaSockets.Server.Letta;

namespace LettaSockets.Server.Tests.Letta;

/// <summary>
/// The gateway's pooled SSE reader must read every stream exactly as <see cref="SseParser"/> does:
/// generated streams (data, event, id, retry, comment and unknown lines, with and without the space
/// after the colon; LF, CR and CRLF line ends; a byte order mark or half of one; multi-byte UTF-8,
/// long lines, an incomplete last event) are read both ways, in random read sizes, and compared event by event.
/// </summary>
[TestClass]
public sealed class SseEventReaderTests
{
    private static readonly Gen<string> Value = Gen.Frequency(
        (6, Gen.String[Gen.Char['a', 'z'], 0, 20]),
        (3, Pick("{\"message_type\":\"assistant_message\",\"content\":\"hi\"}", "[DONE]", "héllo ✓ 🙂", "a: b", " leading", "x:y:z", "")),
        (1, Gen.Int[2_000, 40_000].Select(n => new string('w', n))));

    private static readonly Gen<string> Line = Gen.Frequency(
        (10, Gen.Select(Pick("data: ", "data:", "data:  "), Value, (f, v) => f + v)),
        (2, Pick("data", "data:")),
        (3, Pick("event: error", "event: message", "event: cancelled", "event:", "event: custom_type", "event:ünï")),
        (1, Pick("id: 7", "id:", "id: a\0b", "retry: 100", "retry: x1", ": keep-alive", ":", "unknown: x", "dat: y", "DATA: z")),
        (6, Gen.Const("")));

    private static readonly Gen<string> Terminator = Gen.Frequency((8, Gen.Const("\n")), (2, Gen.Const("\r\n")), (1, Gen.Const("\r")));

    private static readonly Gen<byte[]> Stream = Gen.Select(
        Gen.Select(Line, Terminator, (line, end) => line + end).Array[0, 40],
        Gen.Frequency((8, Gen.Const(0)), (1, Gen.Const(1)), (1, Gen.Const(2))),
        Gen.Frequency((6, Gen.Const(string.Empty)), (1, Pick("data: tail", "data: tail\r", "\r"))),
        (lines, bom, tail) =>
        {
            byte[] text = Encoding.UTF8.GetBytes(string.Concat(lines) + tail);
            byte[] prefix = bom switch { 1 => [0xEF, 0xBB, 0xBF], 2 => [0xEF, 0xBB], _ => [] };
            return prefix.Concat(text).ToArray();
        });

    private static readonly Gen<int[]> ReadSizes = Gen.Frequency(
        (3, Gen.Int[1, 7].Array[1, 6]),
        (2, Gen.Int[1, 300].Array[1, 6]),
        (2, Gen.Const(new[] { 1 << 20 })));

    [TestMethod]
    public void Generated_streams_read_as_SseParser_reads_them()
    {
        Gen.Select(Stream, ReadSizes).Sample((bytes, sizes) =>
        {
            List<string> expected = [.. SseParser.Create(new TrickleStream(bytes, sizes), Describe).Enumerate().Select(i => i.Data)];
            List<string> actual = Read(bytes, sizes);
            CollectionAssert.AreEqual(expected, actual, $"{expected.Count} vs {actual.Count} events");
        }, seed: "0N0XIzNsQ0O2", iter: 4_000, print: t => $"{Encoding.UTF8.GetString(t.Item1).Replace("\r", "\\r", StringComparison.Ordinal).Replace("\n", "\\n", StringComparison.Ordinal)} read by {string.Join(",", t.Item2)}");
    }

    [TestMethod]
    public void Giving_the_buffers_back_before_every_read_changes_nothing()
    {
        Gen.Select(Stream, ReadSizes).Sample((bytes, sizes) =>
        {
            List<string> expected = Read(bytes, sizes);
            List<string> actual = Read(bytes, sizes, release: true);
            CollectionAssert.AreEqual(expected, actual, $"{expected.Count} vs {actual.Count} events");
        }, seed: "0N0XIzNsQ0O2", iter: 2_000);
    }

    [TestMethod]
    public void A_reader_between_events_holds_no_buffer_and_one_with_half_an_event_keeps_it()
    {
        using var reader = new SseEventReader<string>(Describe);
        Assert.AreEqual(0, reader.HeldBytes, "nothing is rented before the first read");

        Feed(reader, "data: one\n\n");
        Assert.IsTrue(reader.TryRead(out string first));
        Assert.IsFalse(reader.TryRead(out _));
        Assert.IsTrue(reader.Drained);
        reader.ReleaseBuffers();
        Assert.AreEqual(0, reader.HeldBytes, "between events: read buffer and data copy are back in the pool");

        Feed(reader, "data: tw");
        Assert.IsFalse(reader.TryRead(out _));
        Assert.IsFalse(reader.Drained, "the unread half line stays in the buffer");
        reader.ReleaseBuffers();
        Assert.IsTrue(reader.HeldBytes >= SseEventReader<string>.BufferSize, "half a line keeps the read buffer");

        Feed(reader, "o\ndata: more\n");
        Assert.IsFalse(reader.TryRead(out _));
        Assert.IsTrue(reader.Drained);
        reader.ReleaseBuffers();
        Assert.IsTrue(reader.HeldBytes > 0, "an event whose data lines are read but not its blank line keeps its data copy");

        Feed(reader, "\n");
        Assert.IsTrue(reader.TryRead(out string second));
        Assert.AreEqual("message|one", first);
        Assert.AreEqual("message|two\nmore", second);
    }

    [TestMethod]
    public void A_line_longer_than_the_buffer_and_a_CRLF_split_across_reads_arrive_whole()
    {
        string big = new('q', SseEventReader<string>.BufferSize * 5 + 3);
        byte[] bytes = Encoding.UTF8.GetBytes($"data: {big}\r\n\r\ndata: second\r\n\r\n");
        int[] sizes = [SseEventReader<string>.BufferSize * 5 + 9, 1, 1, 1]; // the first read ends on a CR

        List<string> events = Read(bytes, sizes);

        CollectionAssert.AreEqual(new[] { "message|" + big, "message|second" }, events);
    }

    [TestMethod]
    public void The_last_event_without_its_blank_line_is_discarded_and_the_end_is_reported()
    {
        using var reader = new SseEventReader<string>(Describe);
        Feed(reader, "data: one\n\ndata: two\n");
        Assert.IsTrue(reader.TryRead(out string first));
        Assert.IsFalse(reader.TryRead(out _), "two has no blank line yet");
        Assert.IsFalse(reader.Ended);
        reader.Advance(0);

        Assert.IsFalse(reader.TryRead(out _), "an incomplete event at the end is not dispatched");
        Assert.IsTrue(reader.Ended);
        Assert.AreEqual("message|one", first);
    }

    private static List<string> Read(byte[] bytes, int[] sizes, bool release = false)
    {
        var source = new TrickleStream(bytes, sizes);
        using var reader = new SseEventReader<string>(Describe);
        var events = new List<string>();
        for (int reads = 0; reads < bytes.Length + 2; reads++)
        {
            while (reader.TryRead(out string e))
            {
                events.Add(e);
            }

            if (reader.Ended)
            {
                return events;
            }

            if (release)
            {
                reader.ReleaseBuffers();
            }

            reader.Advance(source.Read(reader.GetReadSpace().Span));
        }

        Assert.Fail("the reader did not reach the end of the stream");
        return events;
    }

    private static void Feed(SseEventReader<string> reader, string text)
    {
        byte[] bytes = Encoding.UTF8.GetBytes(text);
        bytes.CopyTo(reader.GetReadSpace().Span);
        reader.Advance(bytes.Length);
    }

    private static string Describe(string eventType, ReadOnlySpan<byte> data) => eventType + "|" + Encoding.UTF8.GetString(data);

    private static Gen<T> Pick<T>(params T[] items) => Gen.Int[0, items.Length - 1].Select(i => items[i]);
}
