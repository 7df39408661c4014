using System.Text;
using System.Text.Json;
using LettaSockets.Simulator.Wire;

namespace LettaSockets.Simulator.History;

/// <summary>
/// Turns one run's stream back into the messages Letta stores: consecutive deltas of one message (same
/// <c>id</c>, <c>otid</c> and type, as Letta's streaming guide reassembles them) become one message with the text or arguments joined, <c>seq_id</c> null.
/// Like Letta's agent loop, it stores at the end of every step — the first step's messages after the input
/// messages — and once more when the run ends, whatever it had by then.
/// </summary>
internal sealed class TurnRecorder(MessageHistory history, SimRequest request, DateTimeOffset receivedAt)
{
    private readonly List<HistoryMessage> _pending = [];
    private Group? _open;
    private bool _inputsStored;

    /// <summary>One agent message frame (<c>data: {…}\n\n</c>), as the run published it.</summary>
    public void Add(ReadOnlySpan<byte> frame)
    {
        var json = Json(frame);
        var fields = Fields.Read(json);
        if (_open is not null && !_open.Continues(fields))
        {
            Close();
        }

        _open ??= new Group(json.ToArray(), fields);
        _open.Append(fields);
    }

    /// <summary>A step ended (or the run did): stores what was produced since the last commit.</summary>
    public void Commit()
    {
        Close();
        var batch = new List<HistoryMessage>();
        if (!_inputsStored)
        {
            _inputsStored = true;
            foreach (var input in request.Inputs)
            {
                batch.Add(Input(input));
            }
        }

        batch.AddRange(_pending);
        _pending.Clear();
        history.Append(batch);
    }

    private void Close()
    {
        if (_open is { } group)
        {
            _pending.Add(Stored(group.Fields.Id, group.Fields.Type, group.Fields.Otid, group.Render()));
            _open = null;
        }
    }

    private HistoryMessage Input(InputMessage input)
    {
        var id = LettaIds.NewMessageId();
        var type = input.Kind == "approval" ? "approval_response_message" : input.Kind + "_message";
        var json = JsonText.Build(w =>
        {
            w.WriteStartObject();
            w.WriteString("id", id);
            w.WriteString("date", LettaDate.ToWire(receivedAt));
            w.WriteNull("name");
            w.WriteString("message_type", type);
            w.WriteString("otid", input.Otid);
            w.WriteNull("sender_id");
            w.WriteNull("step_id");
            w.WriteNull("is_err");
            w.WriteNull("seq_id");
            w.WriteString("run_id", request.RunId);
            if (input.Kind == "approval")
            {
                WriteApprovals(w, input.Approvals);
            }
            else
            {
                w.WritePropertyName("content");
                w.WriteRawValue(input.ContentJson, skipInputValidation: true);
            }

            w.WriteEndObject();
        });
        return Stored(id, type, input.Otid, json);
    }

    /// <summary>Letta's approval_response_message: the decisions, and the first one's legacy mirrors.</summary>
    private static void WriteApprovals(Utf8JsonWriter writer, IReadOnlyList<ApprovalDecision> approvals)
    {
        writer.WriteStartArray("approvals");
        foreach (var approval in approvals)
        {
            writer.WriteStartObject();
            writer.WriteString("type", "approval");
            writer.WriteString("tool_call_id", approval.ToolCallId);
            writer.WriteBoolean("approve", approval.Approve);
            WriteNullable(writer, "reason", approval.Reason);
            writer.WriteEndObject();
        }

        writer.WriteEndArray();
        if (approvals is [var first, ..])
        {
            writer.WriteBoolean("approve", first.Approve);
            writer.WriteString("approval_request_id", first.ToolCallId);
            WriteNullable(writer, "reason", first.Reason);
        }
        else
        {
            writer.WriteNull("approve");
            writer.WriteNull("approval_request_id");
            writer.WriteNull("reason");
        }
    }

    private HistoryMessage Stored(string id, string type, string? otid, string json) =>
        new(0, request.AgentId, request.ConversationId, request.RunId, id, type, otid, json);

    private static ReadOnlySpan<byte> Json(ReadOnlySpan<byte> frame)
    {
        var start = frame.IndexOf("data: "u8) + "data: ".Length;
        return frame[start..].TrimEnd((byte)'\n');
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

    /// <summary>The fields of one frame that say which message it belongs to, and what it adds to it.</summary>
    private readonly record struct Fields(string Id, string? Otid, string Type, string? Text, string? ToolName, string? Arguments, string? ToolCallId)
    {
        public static Fields Read(ReadOnlySpan<byte> json)
        {
            var reader = new Utf8JsonReader(json);
            string id = "", type = "";
            string? otid = null, text = null, name = null, arguments = null, callId = null;
            reader.Read();
            while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
            {
                var property = reader.ValueSpan;
                reader.Read();
                if (property.SequenceEqual("id"u8))
                {
                    id = reader.GetString()!;
                }
                else if (property.SequenceEqual("otid"u8))
                {
                    otid = reader.GetString();
                }
                else if (property.SequenceEqual("message_type"u8))
                {
                    type = reader.GetString()!;
                }
                else if ((property.SequenceEqual("reasoning"u8) || property.SequenceEqual("content"u8)) && reader.TokenType == JsonTokenType.String)
                {
                    text = reader.GetString();
                }
                else if (property.SequenceEqual("tool_call"u8) && reader.TokenType == JsonTokenType.StartObject)
                {
                    while (reader.Read() && reader.TokenType == JsonTokenType.PropertyName)
                    {
                        var key = reader.ValueSpan;
                        reader.Read();
                        if (key.SequenceEqual("name"u8))
                        {
                            name = reader.GetString();
                        }
                        else if (key.SequenceEqual("arguments"u8))
                        {
                            arguments = reader.GetString();
                        }
                        else if (key.SequenceEqual("tool_call_id"u8))
                        {
                            callId = reader.GetString();
                        }
                        else
                        {
                            reader.Skip();
                        }
                    }
                }
                else
                {
                    reader.Skip();
                }
            }

            return new Fields(id, otid, type, text, name, arguments, callId);
        }
    }

    /// <summary>The frames of one message so far: the first as the template, the text and arguments joined.</summary>
    private sealed class Group(byte[] template, Fields fields)
    {
        private readonly StringBuilder _text = new();
        private readonly StringBuilder _arguments = new();
        private string? _toolName;
        private string? _toolCallId;

        public Fields Fields => fields;

        public bool Continues(in Fields next) =>
            next.Id == fields.Id && next.Otid == fields.Otid && next.Type == fields.Type && IsDelta(next.Type);

        public void Append(in Fields next)
        {
            _text.Append(next.Text);
            _arguments.Append(next.Arguments);
            _toolName ??= next.ToolName;
            _toolCallId ??= next.ToolCallId;
        }

        /// <summary>The template with <c>seq_id</c> null and the joined parts; tool calls in their whole-message shape (as step streaming sends them).</summary>
        public string Render()
        {
            using var document = JsonDocument.Parse(template);
            return JsonText.Build(w =>
            {
                w.WriteStartObject();
                foreach (var property in document.RootElement.EnumerateObject())
                {
                    switch (property.Name)
                    {
                        case "seq_id":
                            w.WriteNull("seq_id");
                            break;
                        case "reasoning" or "content" when property.Value.ValueKind == JsonValueKind.String:
                            w.WriteString(property.Name, _text.ToString());
                            break;
                        case "tool_call":
                            w.WritePropertyName("tool_call");
                            WriteCall(w);
                            break;
                        case "tool_calls":
                            w.WriteStartArray("tool_calls");
                            WriteCall(w);
                            w.WriteEndArray();
                            break;
                        default:
                            property.WriteTo(w);
                            break;
                    }
                }

                w.WriteEndObject();
            });
        }

        private void WriteCall(Utf8JsonWriter writer)
        {
            writer.WriteStartObject();
            WriteNullable(writer, "name", _toolName);
            writer.WriteString("arguments", _arguments.ToString());
            WriteNullable(writer, "tool_call_id", _toolCallId);
            writer.WriteEndObject();
        }

        /// <summary>Types streamed as deltas in token mode; anything else (tool returns, hidden reasoning) is whole.</summary>
        private static bool IsDelta(string type) =>
            type is "reasoning_message" or "assistant_message" or "tool_call_message" or "approval_request_message";
    }
}
