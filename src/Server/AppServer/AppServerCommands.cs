using System.Buffers;
using System.Text.Json;

namespace LettaSockets.Server.AppServer;

/// <summary>The App Server commands the gateway sends, written straight to UTF-8 JSON.</summary>
internal static class AppServerCommands
{
    public static byte[] Info(string requestId) => Write(w =>
    {
        w.WriteString("type", "app_server_info");
        w.WriteString("request_id", requestId);
    });

    public static byte[] RuntimeStart(string requestId, RuntimeKey runtime, string mode, string clientVersion) => Write(w =>
    {
        w.WriteString("type", "runtime_start");
        w.WriteString("request_id", requestId);
        w.WriteString("agent_id", runtime.AgentId);
        w.WriteString("conversation_id", runtime.ConversationId);
        w.WriteString("mode", mode);
        w.WriteStartObject("client_info");
        w.WriteString("name", "LettaSockets");
        w.WriteString("version", clientVersion);
        w.WriteEndObject();
    });

    public static byte[] Message(string requestId, RuntimeKey runtime, string content, string clientMessageId, AppServerOptions options) => Write(w =>
    {
        Header(w, "input", requestId, runtime);
        w.WriteStartObject("payload");
        w.WriteString("kind", "create_message");
        w.WriteStartArray("messages");
        w.WriteStartObject();
        w.WriteString("role", "user");
        w.WriteString("content", content);
        w.WriteString("client_message_id", clientMessageId);
        w.WriteEndObject();
        w.WriteEndArray();
        if (options.ToolAllowList is { } allowed)
        {
            w.WriteStartArray("client_tool_allowlist");
            foreach (string tool in allowed)
            {
                w.WriteStringValue(tool);
            }

            w.WriteEndArray();
        }

        if (options.ExcludeInteractiveTools)
        {
            w.WriteBoolean("exclude_interactive_tools", true);
        }

        w.WriteEndObject();
    });

    /// <summary>Answers a <c>control_request</c>: allow, deny with a reason (required upstream), or refuse one the gateway cannot serve.</summary>
    public static byte[] ApprovalResponse(string requestId, RuntimeKey runtime, string controlRequestId, bool allow, string? message, string? error = null) => Write(w =>
    {
        Header(w, "input", requestId, runtime);
        w.WriteStartObject("payload");
        w.WriteString("kind", "approval_response");
        w.WriteString("request_id", controlRequestId);
        if (error is not null)
        {
            w.WriteString("error", error);
        }
        else
        {
            w.WriteStartObject("decision");
            w.WriteString("behavior", allow ? "allow" : "deny");
            if (!allow || message is not null)
            {
                w.WriteString("message", message ?? "Denied by the user.");
            }

            w.WriteEndObject();
        }

        w.WriteEndObject();
    });

    public static byte[] Abort(string requestId, RuntimeKey runtime) => Write(w => Header(w, "abort_message", requestId, runtime));

    public static byte[] ConversationRetrieve(string requestId, string conversationId) => Write(w =>
    {
        w.WriteString("type", "conversation_retrieve");
        w.WriteString("request_id", requestId);
        w.WriteString("conversation_id", conversationId);
    });

    public static byte[] AgentList(string requestId) => Write(w =>
    {
        w.WriteString("type", "agent_list");
        w.WriteString("request_id", requestId);
    });

    private static void Header(Utf8JsonWriter w, string type, string requestId, RuntimeKey runtime)
    {
        w.WriteString("type", type);
        w.WriteString("request_id", requestId);
        w.WriteStartObject("runtime");
        w.WriteString("agent_id", runtime.AgentId);
        w.WriteString("conversation_id", runtime.ConversationId);
        w.WriteEndObject();
    }

    private static byte[] Write(Action<Utf8JsonWriter> body)
    {
        var buffer = new ArrayBufferWriter<byte>(256);
        using (var writer = new Utf8JsonWriter(buffer))
        {
            writer.WriteStartObject();
            body(writer);
            writer.WriteEndObject();
        }

        return buffer.WrittenSpan.ToArray();
    }
}
