using System.Text.Json;
using LettaSockets.Protocol.Frames;

namespace LettaSockets.Protocol.Parsing;

/// <summary>The known fields of a client frame as read, with the first type error met.</summary>
internal sealed class FrameFields
{
    private string? _type;
    private bool _hasType;
    private string? _id;
    private string? _content;
    private string? _message;
    private bool _hasMessage;
    private string? _agentId;
    private string? _conversationId;
    private bool? _resumable;
    private double? _maxCharsPerSecond;
    private string? _runId;
    private long? _afterSeq;
    private string? _toolCallId;
    private bool? _approve;
    private string? _reason;
    private long? _limit;
    private string? _before;
    private string? _firstError;

    public void Read(string name, ref Utf8JsonReader reader)
    {
        switch (name)
        {
            case "type": _hasType = true; _type = ReadString(ref reader, name); break;
            case "id": _id = ReadString(ref reader, name); break;
            case "content": _content = ReadString(ref reader, name); break;
            case "message": _hasMessage = true; _message = ReadString(ref reader, name); break;
            case "agent_id": _agentId = ReadString(ref reader, name); break;
            case "conversation_id": _conversationId = ReadString(ref reader, name); break;
            case "resumable": _resumable = ReadBool(ref reader, name); break;
            case "max_chars_per_second": _maxCharsPerSecond = ReadPositiveNumber(ref reader, name); break;
            case "run_id": _runId = ReadString(ref reader, name); break;
            case "after_seq": _afterSeq = ReadSeq(ref reader, name); break;
            case "tool_call_id": _toolCallId = ReadString(ref reader, name); break;
            case "approve": _approve = ReadBool(ref reader, name); break;
            case "reason": _reason = ReadString(ref reader, name); break;
            case "limit": _limit = ReadSeq(ref reader, name); break;
            case "before": _before = ReadString(ref reader, name); break;
            default: reader.Skip(); break; // unknown fields are ignored (docs/PROTOCOL.md, "Sending")
        }
    }

    public ClientFrameParseResult ToFrame()
    {
        string? id = IdError() is null ? _id : null;
        if (_firstError is not null)
        {
            return ClientFrameParseResult.Fail(ErrorCodes.BadFrame, _firstError, id);
        }

        if (IdError() is { } idError)
        {
            return ClientFrameParseResult.Fail(ErrorCodes.BadFrame, idError);
        }

        if (!_hasType)
        {
            // The seed's WebSocket client sends {"message":"…"} with no type.
            if (_hasMessage && _message is not null)
            {
                return Message(_message, shorthand: true);
            }

            return ClientFrameParseResult.Fail(ErrorCodes.BadFrame, "The frame has no \"type\" (expected message, cancel, resume, ping, approve or history).", id);
        }

        return _type switch
        {
            "message" => _content is null && _message is not null ? Message(_message, shorthand: false) : Message(_content, shorthand: false),
            "cancel" => ClientFrameParseResult.Ok(new ClientFrame { Type = ClientFrameType.Cancel, Id = _id }),
            "ping" => ClientFrameParseResult.Ok(new ClientFrame { Type = ClientFrameType.Ping, Id = _id }),
            "resume" => Resume(),
            "approve" => Approve(),
            "history" => History(),
            "follow" => ClientFrameParseResult.Ok(new ClientFrame { Type = ClientFrameType.Follow, Id = _id, AgentId = _agentId, ConversationId = _conversationId }),
            "unfollow" => string.IsNullOrEmpty(_id)
                ? ClientFrameParseResult.Fail(ErrorCodes.BadFrame, "An unfollow frame needs the \"id\" of its follow.")
                : ClientFrameParseResult.Ok(new ClientFrame { Type = ClientFrameType.Unfollow, Id = _id }),
            _ => ClientFrameParseResult.Fail(ErrorCodes.UnknownType, $"Unknown frame type \"{Truncate(_type)}\" (expected message, cancel, resume, ping, approve, history, follow or unfollow).", id),
        };
    }

    private ClientFrameParseResult Message(string? content, bool shorthand)
    {
        if (content is null)
        {
            return ClientFrameParseResult.Fail(ErrorCodes.BadFrame, "A message frame needs \"content\" (a string).", _id);
        }

        if (string.IsNullOrWhiteSpace(content))
        {
            return ClientFrameParseResult.Fail(ErrorCodes.BadFrame, "\"content\" must not be empty.", _id);
        }

        return ClientFrameParseResult.Ok(new ClientFrame
        {
            Type = ClientFrameType.Message,
            Id = _id,
            Content = content,
            AgentId = _agentId,
            ConversationId = _conversationId,
            Resumable = _resumable,
            MaxCharsPerSecond = _maxCharsPerSecond,
            IsShorthand = shorthand,
        });
    }

    private ClientFrameParseResult Resume()
    {
        if (string.IsNullOrEmpty(_runId) && string.IsNullOrEmpty(_id))
        {
            return ClientFrameParseResult.Fail(ErrorCodes.BadFrame, "A resume frame needs \"run_id\" (or the \"id\" of the turn to find).");
        }

        return ClientFrameParseResult.Ok(new ClientFrame
        {
            Type = ClientFrameType.Resume,
            Id = _id,
            RunId = _runId,
            AfterSeq = _afterSeq,
            AgentId = _agentId,
            ConversationId = _conversationId,
        });
    }

    private ClientFrameParseResult History()
    {
        if (_limit is < 1 or > MaxHistoryLimit)
        {
            return ClientFrameParseResult.Fail(ErrorCodes.BadFrame, $"\"limit\" must be 1 to {MaxHistoryLimit}.", _id);
        }

        return ClientFrameParseResult.Ok(new ClientFrame
        {
            Type = ClientFrameType.History,
            Id = _id,
            AgentId = _agentId,
            ConversationId = _conversationId,
            Limit = (int?)_limit,
            Before = _before,
        });
    }

    /// <summary>The most messages one <c>history</c> request may ask for.</summary>
    public const int MaxHistoryLimit = 200;

    private ClientFrameParseResult Approve()
    {
        if (string.IsNullOrEmpty(_toolCallId) || _approve is null)
        {
            return ClientFrameParseResult.Fail(ErrorCodes.BadFrame, "An approve frame needs \"tool_call_id\" (string) and \"approve\" (bool).", _id);
        }

        return ClientFrameParseResult.Ok(new ClientFrame
        {
            Type = ClientFrameType.Approve,
            Id = _id,
            ToolCallId = _toolCallId,
            Approve = _approve,
            Reason = _reason,
            AgentId = _agentId,
            ConversationId = _conversationId,
            Resumable = _resumable,
        });
    }

    private string? IdError()
    {
        if (_id is null)
        {
            return null;
        }

        if (_id.Length == 0 || _id.Length > ClientFrameParser.MaxIdLength)
        {
            return $"\"id\" must be 1 to {ClientFrameParser.MaxIdLength} characters.";
        }

        foreach (char c in _id)
        {
            if (char.IsControl(c))
            {
                return "\"id\" must not contain control characters.";
            }
        }

        return null;
    }

    private string? ReadString(ref Utf8JsonReader reader, string name)
    {
        if (reader.TokenType == JsonTokenType.String)
        {
            return reader.GetString();
        }

        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        Fail(name, "a string", ref reader);
        return null;
    }

    private bool? ReadBool(ref Utf8JsonReader reader, string name)
    {
        switch (reader.TokenType)
        {
            case JsonTokenType.True: return true;
            case JsonTokenType.False: return false;
            case JsonTokenType.Null: return null;
            default: Fail(name, "true or false", ref reader); return null;
        }
    }

    private double? ReadPositiveNumber(ref Utf8JsonReader reader, string name)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType == JsonTokenType.Number && reader.TryGetDouble(out double value) && double.IsFinite(value) && value > 0)
        {
            return value;
        }

        Fail(name, "a positive number", ref reader);
        return null;
    }

    private long? ReadSeq(ref Utf8JsonReader reader, string name)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType == JsonTokenType.Number && reader.TryGetInt64(out long value) && value >= 0)
        {
            return value;
        }

        Fail(name, "a whole number ≥ 0", ref reader);
        return null;
    }

    private void Fail(string name, string expected, ref Utf8JsonReader reader)
    {
        _firstError ??= $"\"{name}\" must be {expected}.";
        reader.Skip();
    }

    private static string Truncate(string? value) =>
        value is null ? "null" : value.Length <= 40 ? value : value[..40] + "…";
}
