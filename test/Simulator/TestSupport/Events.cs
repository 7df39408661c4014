using System.Text;

namespace LettaSockets.Simulator.Tests.TestSupport;

/// <summary>Small helpers over lists of events.</summary>
internal static class Events
{
    public static string Concat(this IEnumerable<SseEvent> events, string messageType, string field) =>
        events.Where(e => e.MessageType == messageType)
            .Aggregate(new StringBuilder(), (text, e) => text.Append(e.Str(field)))
            .ToString();

    public static string Types(this IEnumerable<SseEvent> events) =>
        string.Join(",", events.Select(e => e.IsDone ? "[DONE]" : e.MessageType ?? e.EventName ?? "?"));
}
