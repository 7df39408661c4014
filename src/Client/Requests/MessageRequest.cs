using System.Text.Json;

namespace LettaSockets.Client;

/// <summary>A <c>message</c>: starts a turn with <see cref="Content"/>.</summary>
public sealed record MessageRequest(string Content) : TurnRequest
{
    public override string Type => "message";

    public string? ConversationId { get; init; }

    /// <summary>Run as a Letta background run that survives a dropped socket; null leaves it to the client's <see cref="LettaSocketsClientOptions.Resumable"/>.</summary>
    public bool? Resumable { get; init; }

    /// <summary>Output pacing (docs/PROTOCOL.md, "Output pacing").</summary>
    public double? MaxCharsPerSecond { get; init; }

    protected internal override bool AsksResumable => Resumable == true;

    protected internal override string? Conversation => ConversationId;

    protected internal override void WriteFields(Utf8JsonWriter writer)
    {
        ArgumentNullException.ThrowIfNull(writer);
        writer.WriteString("content", Content);
        if (ConversationId is not null)
        {
            writer.WriteString("conversation_id", ConversationId);
        }

        if (Resumable is bool resumable)
        {
            writer.WriteBoolean("resumable", resumable);
        }

        if (MaxCharsPerSecond is double rate)
        {
            writer.WriteNumber("max_chars_per_second", rate);
        }
    }
}
