using System.Text.Json;
using LettaSockets.Simulator.Wire;

namespace LettaSockets.Simulator.Http;

/// <summary>The run object of Letta's background runs, in Letta's field order.</summary>
internal static class RunJson
{
    public static void Write(Utf8JsonWriter writer, SimRun run)
    {
        writer.WriteStartObject();
        writer.WriteString("id", run.Id);
        writer.WriteString("status", run.Status.ToString().ToLowerInvariant());
        writer.WriteString("created_at", LettaDate.ToWire(run.CreatedAt));
        WriteNullable(writer, "completed_at", run.CompletedAt is { } completed ? LettaDate.ToWire(completed) : null);
        writer.WriteString("agent_id", run.AgentId);
        WriteNullable(writer, "conversation_id", run.ConversationId);
        writer.WriteNull("base_template_id");
        writer.WriteBoolean("background", run.Background);
        writer.WriteNull("metadata");
        writer.WriteStartObject("request_config");
        writer.WriteBoolean("use_assistant_message", true);
        writer.WriteString("assistant_message_tool_name", "send_message");
        writer.WriteString("assistant_message_tool_kwarg", "message");
        writer.WriteNull("include_return_message_types");
        writer.WriteEndObject();
        WriteNullable(writer, "stop_reason", run.StopReason);
        writer.WriteNull("callback_url");
        writer.WriteNull("callback_sent_at");
        writer.WriteNull("callback_status_code");
        writer.WriteNull("callback_error");
        WriteNullable(writer, "ttft_ns", run.TtftNs);
        WriteNullable(writer, "total_duration_ns", run.TotalDurationNs);
        writer.WriteEndObject();
    }

    private static void WriteNullable(Utf8JsonWriter writer, string name, string? value)
    {
        if (value is null)
        {
            writer.WriteNull(name);
        }
        else
        {
            writer.WriteString(name, value);
        }
    }

    private static void WriteNullable(Utf8JsonWriter writer, string name, long? value)
    {
        if (value is { } number)
        {
            writer.WriteNumber(name, number);
        }
        else
        {
            writer.WriteNull(name);
        }
    }
}
