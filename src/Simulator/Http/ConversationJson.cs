using System.Text.Json;
using LettaSockets.Simulator.Wire;

namespace LettaSockets.Simulator.Http;

/// <summary>
/// Letta's <c>Conversation</c> object (a subset, in pydantic field order: the ORM metadata first, then the
/// conversation's own fields). The simulator has no in-context messages, isolated blocks or model override.
/// </summary>
internal static class ConversationJson
{
    /// <param name="writer">Where to write.</param>
    /// <param name="conversation">The conversation.</param>
    /// <param name="lastMessageAt">When its newest send arrived (the newest run's creation), if any.</param>
    public static void Write(Utf8JsonWriter writer, SimConversation conversation, DateTimeOffset? lastMessageAt)
    {
        var created = LettaDate.ToWire(conversation.CreatedAt);
        writer.WriteStartObject();
        writer.WriteNull("created_by_id");
        writer.WriteNull("last_updated_by_id");
        writer.WriteString("created_at", created);
        writer.WriteString("updated_at", created);
        writer.WriteString("id", conversation.Id);
        writer.WriteString("agent_id", conversation.AgentId);
        if (conversation.Summary is null)
        {
            writer.WriteNull("summary");
        }
        else
        {
            writer.WriteString("summary", conversation.Summary);
        }

        writer.WriteStartArray("in_context_message_ids");
        writer.WriteEndArray();
        writer.WriteStartArray("isolated_block_ids");
        writer.WriteEndArray();
        writer.WriteNull("model");
        writer.WriteNull("model_settings");
        if (lastMessageAt is { } last)
        {
            writer.WriteString("last_message_at", LettaDate.ToWire(last));
        }
        else
        {
            writer.WriteNull("last_message_at");
        }

        writer.WriteEndObject();
    }
}
