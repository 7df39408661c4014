namespace LettaSockets.Simulator.Wire;

internal sealed partial class FrameWriter
{
    /// <summary>
    /// Token mode (Letta's event payloads): <c>tool_call</c> and <c>tool_calls</c> are the same delta object, null keys omitted.
    /// <paramref name="messageType"/> is <c>tool_call_message</c> or <c>approval_request_message</c>.
    /// </summary>
    public byte[] ToolCallDelta(in Envelope envelope, string messageType, string? name, string? arguments, string toolCallId)
    {
        BeginMessage(envelope, messageType);
        _json.WritePropertyName("tool_call"u8);
        WriteDelta(name, arguments, toolCallId);
        _json.WritePropertyName("tool_calls"u8);
        WriteDelta(name, arguments, toolCallId);
        return End();
    }

    /// <summary>Step mode (Letta's event payloads): <c>tool_call</c> is the complete call, <c>tool_calls</c> an array.</summary>
    public byte[] ToolCall(in Envelope envelope, string messageType, string name, string arguments, string toolCallId)
    {
        BeginMessage(envelope, messageType);
        _json.WritePropertyName("tool_call"u8);
        WriteDelta(name, arguments, toolCallId);
        _json.WritePropertyName("tool_calls"u8);
        _json.WriteStartArray();
        WriteDelta(name, arguments, toolCallId);
        _json.WriteEndArray();
        return End();
    }

    /// <summary>Letta's event payloads tool_return_message: deprecated top-level mirrors, then the <c>tool_returns</c> array.</summary>
    public byte[] ToolReturn(
        in Envelope envelope,
        string result,
        string status,
        string toolCallId,
        IReadOnlyList<string>? stdout,
        IReadOnlyList<string>? stderr)
    {
        BeginMessage(envelope, "tool_return_message");
        _json.WriteString("tool_return"u8, result);
        _json.WriteString("status"u8, status);
        _json.WriteString("tool_call_id"u8, toolCallId);
        WriteLines("stdout"u8, stdout);
        WriteLines("stderr"u8, stderr);
        _json.WritePropertyName("tool_returns"u8);
        _json.WriteStartArray();
        _json.WriteStartObject();
        _json.WriteString("type"u8, "tool"u8);
        _json.WriteString("tool_return"u8, result);
        _json.WriteString("status"u8, status);
        _json.WriteString("tool_call_id"u8, toolCallId);
        WriteLines("stdout"u8, stdout);
        WriteLines("stderr"u8, stderr);
        _json.WriteEndObject();
        _json.WriteEndArray();
        return End();
    }

    private void WriteDelta(string? name, string? arguments, string toolCallId)
    {
        _json.WriteStartObject();
        if (name is not null)
        {
            _json.WriteString("name"u8, name);
        }

        if (arguments is not null)
        {
            _json.WriteString("arguments"u8, arguments);
        }

        _json.WriteString("tool_call_id"u8, toolCallId);
        _json.WriteEndObject();
    }

    private void WriteLines(ReadOnlySpan<byte> name, IReadOnlyList<string>? lines)
    {
        if (lines is null)
        {
            _json.WriteNull(name);
            return;
        }

        _json.WriteStartArray(name);
        foreach (var line in lines)
        {
            _json.WriteStringValue(line);
        }

        _json.WriteEndArray();
    }
}
