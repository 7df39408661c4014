using System.Text.Json;

namespace LettaSockets.Simulator.Tests.TestSupport;

/// <summary>One event as it was on the wire: its raw lines, the <c>event:</c> name and the joined data.</summary>
internal sealed record SseEvent(string? EventName, string Data, IReadOnlyList<string> Lines)
{
    public bool IsDone => Data == "[DONE]";

    public JsonElement Json => JsonDocument.Parse(Data).RootElement;

    public string? MessageType =>
        Data.StartsWith('{') && Json.TryGetProperty("message_type", out var type) ? type.GetString() : null;

    public string? Str(string property) =>
        Json.TryGetProperty(property, out var value) && value.ValueKind == JsonValueKind.String ? value.GetString() : null;

    public override string ToString() => string.Join("\\n", Lines);
}
