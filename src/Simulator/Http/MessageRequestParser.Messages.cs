using System.Text;
using System.Text.Json;
using LettaSockets.Simulator.History;

namespace LettaSockets.Simulator.Http;

internal static partial class MessageRequestParser
{
    private static void ReadInput(JsonElement input, InputContent content, List<ValidationError> errors)
    {
        if (input.ValueKind == JsonValueKind.String)
        {
            content.UserTexts.Add(input.GetString()!);
            content.Inputs.Add(new InputMessage("user", StoredContent(input), NewOtid()));
            return;
        }

        if (input.ValueKind == JsonValueKind.Array && ReadParts(input, ["body", "input"], errors) is { } text)
        {
            content.UserTexts.Add(text);
            content.Inputs.Add(new InputMessage("user", StoredContent(input), NewOtid()));
            return;
        }

        if (input.ValueKind != JsonValueKind.Array)
        {
            errors.Add(new ValidationError("string_type", ["body", "input", "str"], "Input should be a valid string", PyRepr.Of(input)));
        }
    }

    private static void ReadMessages(JsonElement messages, InputContent content, List<ValidationError> errors)
    {
        if (messages.ValueKind != JsonValueKind.Array)
        {
            errors.Add(new ValidationError("list_type", ["body", "messages"], "Input should be a valid list", PyRepr.Of(messages)));
            return;
        }

        var index = 0;
        foreach (var message in messages.EnumerateArray())
        {
            ReadMessage(message, index++, content, errors);
        }
    }

    private static void ReadMessage(JsonElement message, int index, InputContent content, List<ValidationError> errors)
    {
        object[] loc = ["body", "messages", index];
        if (message.ValueKind != JsonValueKind.Object)
        {
            errors.Add(new ValidationError("model_type", loc, "Input should be a valid dictionary", PyRepr.Of(message)));
            return;
        }

        // Letta's request body: without a type, approve/approval_request_id mean an approval, anything else a message.
        var type = message.TryGetProperty("type", out var typeValue) && typeValue.ValueKind == JsonValueKind.String
            ? typeValue.GetString()
            : message.TryGetProperty("approve", out _) || message.TryGetProperty("approval_request_id", out _) ? "approval" : "message";
        string? givenOtid = null;
        if (message.TryGetProperty("otid", out var otid) && otid.ValueKind == JsonValueKind.String)
        {
            givenOtid = otid.GetString()!;
            content.Otids.Add(givenOtid);
        }

        switch (type)
        {
            case "message":
                ReadUserMessage(message, loc, content, errors, givenOtid ?? NewOtid());
                break;
            case "approval":
                var before = content.Approvals.Count;
                ReadApproval(message, content);
                content.Inputs.Add(new InputMessage("approval", "null", givenOtid ?? NewOtid())
                {
                    Approvals = content.Approvals.GetRange(before, content.Approvals.Count - before),
                });
                break;
            case "tool_return":
                break;
            default:
                errors.Add(new ValidationError("union_tag_invalid", loc,
                    $"Input tag '{type}' found using 'type' does not match any of the expected tags: 'message', 'approval', 'tool_return'",
                    PyRepr.Of(message)));
                break;
        }
    }

    private static void ReadUserMessage(JsonElement message, object[] loc, InputContent content, List<ValidationError> errors, string otid)
    {
        if (!message.TryGetProperty("role", out var roleValue))
        {
            errors.Add(new ValidationError("missing", [.. loc, "message", "role"], "Field required", PyRepr.Of(message)));
            return;
        }

        var role = roleValue.ValueKind == JsonValueKind.String ? roleValue.GetString() : null;
        if (role is not ("user" or "system" or "assistant"))
        {
            errors.Add(new ValidationError("literal_error", [.. loc, "message", "role"],
                "Input should be 'user', 'system' or 'assistant'", PyRepr.Of(roleValue)));
            return;
        }

        if (!message.TryGetProperty("content", out var body))
        {
            errors.Add(new ValidationError("missing", [.. loc, "message", "content"], "Field required", PyRepr.Of(message)));
            return;
        }

        var text = body.ValueKind switch
        {
            JsonValueKind.String => body.GetString(),
            JsonValueKind.Array => ReadParts(body, [.. loc, "message", "content"], errors),
            _ => null,
        };
        if (text is null && body.ValueKind is not JsonValueKind.Array)
        {
            errors.Add(new ValidationError("string_type", [.. loc, "message", "content"], "Input should be a valid string", PyRepr.Of(body)));
        }

        if (role == "user" && text is not null)
        {
            content.UserTexts.Add(text);
        }

        if (text is not null)
        {
            content.Inputs.Add(new InputMessage(role, StoredContent(body), otid));
        }
    }

    /// <summary>Letta gives a message without an otid a random UUID.</summary>
    private static string NewOtid() => Guid.NewGuid().ToString("D");

    /// <summary>
    /// The content as history shows it: a string stays a string, and so does a lone text part (Letta unwraps
    /// it); anything else is the parts array as sent.
    /// </summary>
    private static string StoredContent(JsonElement body)
    {
        if (body.ValueKind == JsonValueKind.Array && body.GetArrayLength() == 1
            && body[0].ValueKind == JsonValueKind.Object
            && body[0].TryGetProperty("type", out var type) && type.ValueEquals("text")
            && body[0].TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
        {
            return Wire.JsonText.Build(w => w.WriteStringValue(text.GetString()));
        }

        return body.ValueKind == JsonValueKind.String
            ? Wire.JsonText.Build(w => w.WriteStringValue(body.GetString()))
            : Wire.JsonText.Build(body.WriteTo);
    }

    /// <summary>Text parts joined; image parts carry no text.</summary>
    private static string? ReadParts(JsonElement parts, object[] loc, List<ValidationError> errors)
    {
        var builder = new StringBuilder();
        foreach (var part in parts.EnumerateArray())
        {
            if (part.ValueKind != JsonValueKind.Object || !part.TryGetProperty("type", out var type))
            {
                errors.Add(new ValidationError("model_type", loc, "Input should be a valid dictionary", PyRepr.Of(part)));
                return null;
            }

            if (type.ValueKind == JsonValueKind.String && type.GetString() == "text" && part.TryGetProperty("text", out var text) && text.ValueKind == JsonValueKind.String)
            {
                builder.Append(text.GetString());
            }
        }

        return builder.ToString();
    }

    private static void ReadApproval(JsonElement message, InputContent content)
    {
        if (message.TryGetProperty("approvals", out var approvals) && approvals.ValueKind == JsonValueKind.Array)
        {
            foreach (var approval in approvals.EnumerateArray())
            {
                if (approval.ValueKind == JsonValueKind.Object && ReadDecision(approval, "tool_call_id") is { } decision)
                {
                    content.Approvals.Add(decision);
                }
            }

            return;
        }

        // Legacy flat form: {"type":"approval","approve":…,"approval_request_id":…}.
        if (ReadDecision(message, "approval_request_id") is { } legacy)
        {
            content.Approvals.Add(legacy);
        }
    }

    private static ApprovalDecision? ReadDecision(JsonElement element, string idProperty)
    {
        if (!element.TryGetProperty(idProperty, out var id) || id.ValueKind != JsonValueKind.String)
        {
            return null;
        }

        // A client-side tool result ({"type":"tool",…}) counts as approved: the call went ahead.
        var approve = !element.TryGetProperty("approve", out var value) || value.ValueKind != JsonValueKind.False;
        var reason = element.TryGetProperty("reason", out var reasonValue) && reasonValue.ValueKind == JsonValueKind.String
            ? reasonValue.GetString()
            : null;
        return new ApprovalDecision(id.GetString()!, approve, reason);
    }
}
