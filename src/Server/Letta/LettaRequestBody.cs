using System.Buffers;
using System.Net.Http.Headers;
using System.Text.Json;
using LettaSockets.Server.Upstream;

namespace LettaSockets.Server.Letta;

/// <summary>Writes the JSON bodies the gateway sends to Letta (Letta API docs: agents/messages/stream; Letta API docs: agents/messages/cancel; Letta docs: guides/agents/long-running).</summary>
internal static class LettaRequestBody
{
    private static readonly MediaTypeHeaderValue Json = new("application/json");

    public static ByteArrayContent Message(LettaTurnRequest request, bool streamTokens) => Write(w =>
    {
        w.WriteStartArray("messages"u8);
        w.WriteStartObject();
        if (request.ApprovalToolCallId is { } toolCallId)
        {
            w.WriteString("type"u8, "approval"u8);
            w.WriteStartArray("approvals"u8);
            w.WriteStartObject();
            w.WriteString("type"u8, "approval"u8);
            w.WriteString("tool_call_id"u8, toolCallId);
            w.WriteBoolean("approve"u8, request.Approve);
            if (request.ApprovalReason is not null)
            {
                w.WriteString("reason"u8, request.ApprovalReason);
            }

            w.WriteEndObject();
            w.WriteEndArray();
        }
        else
        {
            w.WriteString("type"u8, "message"u8);
            w.WriteString("role"u8, "user"u8);
            w.WriteString("content"u8, request.Content);
        }

        w.WriteString("otid"u8, request.Otid);
        w.WriteEndObject();
        w.WriteEndArray();
        w.WriteBoolean("streaming"u8, true);
        w.WriteBoolean("stream_tokens"u8, streamTokens);
        w.WriteBoolean("include_pings"u8, true);
        if (request.Background)
        {
            w.WriteBoolean("background"u8, true);
        }

        if (request.ConversationId is "default")
        {
            w.WriteString("agent_id"u8, request.AgentId);
        }
    });

    public static ByteArrayContent Cancel(string? runId) => Write(w =>
    {
        if (runId is not null)
        {
            w.WriteStartArray("run_ids"u8);
            w.WriteStringValue(runId);
            w.WriteEndArray();
        }
    });

    public static ByteArrayContent Resume(long afterSeq) => Write(w =>
    {
        w.WriteNumber("starting_after"u8, afterSeq);
        w.WriteBoolean("include_pings"u8, true);
    });

    /// <summary>The conversation re-attach body that finds a run by its input's otid (with the agent for
    /// the <c>default</c> conversation).</summary>
    public static ByteArrayContent ResumeTurn(string? agentId, string otid, long afterSeq) => Write(w =>
    {
        w.WriteString("otid"u8, otid);
        if (agentId is not null)
        {
            w.WriteString("agent_id"u8, agentId);
        }

        w.WriteNumber("starting_after"u8, afterSeq);
        w.WriteBoolean("include_pings"u8, true);
    });

    /// <summary>A new conversation's body: its summary, when there is one.</summary>
    public static ByteArrayContent Conversation(string? summary) => Write(w =>
    {
        if (summary is not null)
        {
            w.WriteString("summary"u8, summary);
        }
    });

    private static ByteArrayContent Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        var content = new ByteArrayContent(buffer.WrittenSpan.ToArray());
        content.Headers.ContentType = Json;
        return content;
    }
}
