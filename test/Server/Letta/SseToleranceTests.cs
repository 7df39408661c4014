using System.Text;
using LettaSockets.Server.Letta;
using LettaSockets.Server.Upstream;

namespace LettaSockets.Server.Tests.Letta;

/// <summary>
/// What a stream may contain besides Letta's events: junk lines, comments and unknown named events
/// are skipped (SSE grammar); an unnamed event whose data is not JSON is reported as invalid, which
/// ends the turn (the simulator's GarbageLines fault sends both, see UpstreamFaultMatrixTests).
/// </summary>
[TestClass]
public sealed class SseToleranceTests
{
    private const string Junk = "x-junk: \u00ff not a field\n: a comment\nnonsense-without-colon\n\nevent: unknown\ndata: {\"ignored\":true}\n\nretry: 10\nid: 7\n\n";

    private static async Task<List<LettaEvent>> ReadAsync(string body, int[] splits)
    {
        var response = new HttpResponseMessage { Content = new StreamContent(new TrickleStream(Encoding.UTF8.GetBytes(body), splits)) };
        await using var stream = new LettaStream(response, TimeProvider.System, TimeSpan.FromSeconds(5));
        var events = new List<LettaEvent>();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(5));
        await foreach (LettaEvent e in stream.ReadAsync(timeout.Token))
        {
            events.Add(e);
        }

        return events;
    }

    private static string Assistant(string text) =>
        $"data: {{\"message_type\":\"assistant_message\",\"otid\":\"o-1\",\"run_id\":\"run-1\",\"content\":\"{text}\"}}\n\n";

    [TestMethod]
    public async Task Junk_lines_comments_and_unknown_events_are_skipped_and_the_text_is_intact()
    {
        string body = Assistant("Hel") + Junk + Assistant("lo") + ": keepalive comment\n\n" + "data: {\"message_type\":\"stop_reason\",\"stop_reason\":\"end_turn\"}\n\ndata: [DONE]\n\n";

        List<LettaEvent> events = await ReadAsync(body, [1, 7, 3, 64]);

        Assert.AreEqual("Hello", string.Concat(events.Where(e => e.Kind == LettaEventKind.Assistant).Select(e => e.Text)));
        Assert.IsFalse(events.Any(e => e.Kind == LettaEventKind.Invalid));
        Assert.AreEqual(LettaEventKind.Done, events[^1].Kind);
    }

    [TestMethod]
    [DataRow("data: not-json\n\n")]
    [DataRow("data: {\"message_type\":\"assistant_message\",\"content\":\"cut\n\n")]
    [DataRow("data: [1,2,3]\n\n")]
    public async Task An_event_that_is_not_a_json_object_is_reported_invalid(string bad)
    {
        List<LettaEvent> events = await ReadAsync(Assistant("ok") + bad, [5, 11]);

        Assert.AreEqual(LettaEventKind.Invalid, events[^1].Kind);
    }
}
