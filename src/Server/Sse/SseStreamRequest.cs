using System.Text.Json.Serialization;

namespace LettaSockets.Server.Sse;

/// <summary>The body of <c>POST /stream</c>: the seed's <c>{"agent_id","message"}</c>, plus optional pacing.</summary>
public sealed class SseStreamRequest
{
    public string? AgentId { get; set; }

    public string? Message { get; set; }

    /// <summary>Optional Letta conversation of the agent (as the WebSocket <c>message</c> frame's field).</summary>
    public string? ConversationId { get; set; }

    /// <summary>Output pacing, as the WebSocket <c>message</c> frame's field of the same name.</summary>
    public double? MaxCharsPerSecond { get; set; }
}

/// <summary>Source-generated JSON for <see cref="SseStreamRequest"/>.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(SseStreamRequest))]
internal sealed partial class SseJsonContext : JsonSerializerContext;
