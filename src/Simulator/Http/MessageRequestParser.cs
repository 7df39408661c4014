using System.Text.Json;
using LettaSockets.Simulator.History;

namespace LettaSockets.Simulator.Http;

/// <summary>
/// Validates a send body like pydantic would (Letta's request body): field types, exactly one of <c>messages</c> /
/// <c>input</c>, message-create objects by <c>type</c>. Unknown fields are ignored.
/// </summary>
internal static partial class MessageRequestParser
{
    /// <param name="body">The request body.</param>
    /// <param name="streamRoute">The deprecated <c>/messages/stream</c>, which forces streaming.</param>
    /// <param name="error">Letta's answer when the body is refused.</param>
    /// <param name="conversation">
    /// A <c>ConversationMessageRequest</c> (Letta's request body): <c>streaming</c> defaults to true and <c>agent_id</c> is read.
    /// </param>
    public static ParsedMessageRequest? Parse(ReadOnlySpan<byte> body, bool streamRoute, out ApiError error, bool conversation = false)
    {
        error = default;
        if (body.IsEmpty)
        {
            error = ApiError.Validation([new ValidationError("missing", ["body"], "Field required", "None")]);
            return null;
        }

        JsonDocument document;
        try
        {
            document = JsonDocument.Parse(body.ToArray());
        }
        catch (JsonException exception)
        {
            error = ApiError.Validation(
                [new ValidationError("json_invalid", ["body", 0], "JSON decode error", "{}", $"{{'error': {PyRepr.Str(exception.Message)}}}")]);
            return null;
        }

        using (document)
        {
            try
            {
                return Read(document.RootElement, streamRoute, conversation, out error);
            }
            catch (InvalidOperationException exception)
            {
                // A lone surrogate escape (\ud800) cannot become a .NET string.
                error = ApiError.Validation(
                    [new ValidationError("string_unicode", ["body"], "Input should be a valid string, " + exception.Message, "{}")]);
                return null;
            }
        }
    }

    private static ParsedMessageRequest? Read(JsonElement root, bool streamRoute, bool conversation, out ApiError error)
    {
        error = default;
        if (root.ValueKind != JsonValueKind.Object)
        {
            error = ApiError.Validation(
            [
                new ValidationError("model_attributes_type", ["body"],
                    "Input should be a valid dictionary or object to extract fields from", PyRepr.Of(root)),
            ]);
            return null;
        }

        var errors = new List<ValidationError>();
        var streaming = ReadBool(root, "streaming", conversation, errors) || streamRoute;
        var agentId = conversation ? ReadString(root, "agent_id", errors) : null;
        var streamTokens = ReadBool(root, "stream_tokens", false, errors);
        var includePings = ReadBool(root, "include_pings", true, errors);
        var includePingsGiven = root.TryGetProperty("include_pings", out var pingsValue) && pingsValue.ValueKind != JsonValueKind.Null;
        var background = ReadBool(root, "background", false, errors);
        var content = new InputContent();
        var hasMessages = TryGet(root, "messages", out var messages);
        var hasInput = TryGet(root, "input", out var input);
        if (hasMessages)
        {
            ReadMessages(messages, content, errors);
        }

        if (hasInput)
        {
            ReadInput(input, content, errors);
        }

        if (errors.Count == 0 && hasMessages == hasInput)
        {
            errors.Add(new ValidationError("value_error", ["body"],
                "Value error, Either 'messages' or 'input' must be provided, but not both", PyRepr.Of(root)));
        }

        if (errors.Count > 0)
        {
            error = ApiError.Validation(errors);
            return null;
        }

        if (hasMessages && messages.GetArrayLength() == 0)
        {
            error = ApiError.Detail(422, "Messages must not be empty");
            return null;
        }

        return new ParsedMessageRequest(
            string.Join("\n", content.UserTexts), content.Otids, content.Approvals,
            streaming, streamTokens, includePings, background, includePingsGiven)
        {
            AgentId = agentId,
            Inputs = content.Inputs,
        };
    }

    /// <summary>An optional string field (null and absent are the same).</summary>
    internal static string? ReadString(JsonElement root, string name, List<ValidationError> errors)
    {
        if (!root.TryGetProperty(name, out var value) || value.ValueKind == JsonValueKind.Null)
        {
            return null;
        }

        if (value.ValueKind == JsonValueKind.String)
        {
            return value.GetString();
        }

        errors.Add(new ValidationError("string_type", ["body", name], "Input should be a valid string", PyRepr.Of(value)));
        return null;
    }

    private static bool TryGet(JsonElement root, string name, out JsonElement value) =>
        root.TryGetProperty(name, out value) && value.ValueKind != JsonValueKind.Null;

    /// <summary>pydantic's lax bool: JSON booleans, 0/1 and the usual strings.</summary>
    private static bool ReadBool(JsonElement root, string name, bool fallback, List<ValidationError> errors)
    {
        if (!root.TryGetProperty(name, out var value))
        {
            return fallback;
        }

        switch (value.ValueKind)
        {
            case JsonValueKind.True:
                return true;
            case JsonValueKind.False:
                return false;
            case JsonValueKind.Number when value.TryGetInt32(out var number) && number is 0 or 1:
                return number == 1;
            case JsonValueKind.String:
                switch (value.GetString()!.ToLowerInvariant())
                {
                    case "true" or "1" or "yes" or "on" or "t" or "y":
                        return true;
                    case "false" or "0" or "no" or "off" or "f" or "n":
                        return false;
                }

                break;
        }

        errors.Add(new ValidationError("bool_parsing", ["body", name],
            "Input should be a valid boolean, unable to interpret input", PyRepr.Of(value)));
        return fallback;
    }

    private sealed class InputContent
    {
        public List<string> UserTexts { get; } = [];

        public List<string> Otids { get; } = [];

        public List<ApprovalDecision> Approvals { get; } = [];

        public List<InputMessage> Inputs { get; } = [];
    }
}
