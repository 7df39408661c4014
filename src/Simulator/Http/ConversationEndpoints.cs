using System.Text.Json;
using LettaSockets.Simulator.Wire;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Primitives;

namespace LettaSockets.Simulator.Http;

/// <summary>
/// <c>POST /v1/conversations/?agent_id=…</c> (body optional: <c>{"summary": …}</c>), <c>GET /v1/conversations/</c>
/// (<c>agent_id</c>, <c>limit</c> default 50, <c>after</c>, <c>order</c> desc by default, <c>summary_search</c>) and
/// <c>GET /v1/conversations/{conversation_id}</c>.
/// </summary>
internal sealed class ConversationEndpoints(LettaSimulator simulator)
{
    private const int DefaultLimit = 50;

    public async Task CreateAsync(HttpContext context)
    {
        // Letta reads agent_id from the query only (a required Query parameter); the body is a CreateConversation.
        var agentId = context.Request.Query["agent_id"].ToString();
        var body = await HttpWrite.ReadBodyAsync(context).ConfigureAwait(false);
        var errors = new List<ValidationError>();
        if (!context.Request.Query.ContainsKey("agent_id"))
        {
            errors.Add(new ValidationError("missing", ["query", "agent_id"], "Field required", "None"));
        }

        var summary = ReadSummary(body, errors);
        if (errors.Count > 0)
        {
            await HttpWrite.ErrorAsync(context, ApiError.Validation(errors)).ConfigureAwait(false);
            return;
        }

        if (!simulator.Agents.TryGet(agentId, out _))
        {
            await HttpWrite.ErrorAsync(context, ApiError.AgentNotFound(agentId)).ConfigureAwait(false);
            return;
        }

        var conversation = simulator.Conversations.Add(agentId, summary);
        await HttpWrite.JsonAsync(context, StatusCodes.Status200OK, JsonText.Build(w => ConversationJson.Write(w, conversation, null)))
            .ConfigureAwait(false);
    }

    public Task GetAsync(HttpContext context)
    {
        var conversationId = (string)context.Request.RouteValues["conversation_id"]!;
        if (!LettaIds.IsConversationId(conversationId))
        {
            return HttpWrite.ErrorAsync(context, ApiError.InvalidPathId("conversation_id", conversationId, LettaIds.ConversationIdRegex));
        }

        return simulator.Conversations.TryGet(conversationId, out var conversation)
            ? HttpWrite.JsonAsync(context, StatusCodes.Status200OK, JsonText.Build(w => ConversationJson.Write(w, conversation, LastMessageAt(conversation))))
            : HttpWrite.ErrorAsync(context, ApiError.ConversationNotFound(conversationId));
    }

    /// <summary>By creation time (ties in creation order), newest first unless <c>order=asc</c>.</summary>
    public Task ListAsync(HttpContext context)
    {
        var query = context.Request.Query;
        var errors = new List<ValidationError>();
        var limit = DefaultLimit;
        if (query.TryGetValue("limit", out var limitText) && !int.TryParse(limitText, out limit))
        {
            errors.Add(new ValidationError("int_parsing", ["query", "limit"],
                "Input should be a valid integer, unable to parse string as an integer", PyRepr.Str(limitText.ToString())));
        }

        var order = query.TryGetValue("order", out var orderText) ? orderText.ToString() : "desc";
        if (order is not ("asc" or "desc"))
        {
            errors.Add(new ValidationError("literal_error", ["query", "order"], "Input should be 'asc' or 'desc'",
                PyRepr.Str(order), "{'expected': \"'asc' or 'desc'\"}"));
        }

        if (errors.Count > 0)
        {
            return HttpWrite.ErrorAsync(context, ApiError.Validation(errors));
        }

        var agentId = Optional(query["agent_id"]);
        var search = Optional(query["summary_search"]);
        var after = Optional(query["after"]);
        IEnumerable<SimConversation> conversations = (agentId is null ? simulator.Conversations.All : simulator.Conversations.ForAgent(agentId))
            .Where(c => search is null || (c.Summary?.Contains(search, StringComparison.Ordinal) ?? false))
            .Select((c, index) => (c, index))
            .OrderBy(x => x.c.CreatedAt)
            .ThenBy(x => x.index)
            .Select(x => x.c);
        if (order == "desc")
        {
            conversations = conversations.Reverse();
        }

        var ordered = conversations.ToList();
        if (after is not null && ordered.FindIndex(c => c.Id == after) is var cursor and >= 0)
        {
            ordered = ordered.GetRange(cursor + 1, ordered.Count - cursor - 1);
        }

        var page = ordered.Take(Math.Max(limit, 0)).ToList();
        return HttpWrite.JsonAsync(context, StatusCodes.Status200OK, JsonText.Build(w =>
        {
            w.WriteStartArray();
            foreach (var conversation in page)
            {
                ConversationJson.Write(w, conversation, LastMessageAt(conversation));
            }

            w.WriteEndArray();
        }));
    }

    private DateTimeOffset? LastMessageAt(SimConversation conversation) =>
        simulator.Runs.ListForConversation(conversation.Id) is [var newest, ..] ? newest.CreatedAt : null;

    private static string? Optional(StringValues value) => StringValues.IsNullOrEmpty(value) ? null : value.ToString();

    /// <summary>The optional <c>CreateConversation</c> body: nothing, <c>null</c>, or an object whose <c>summary</c> is a string or null.</summary>
    private static string? ReadSummary(byte[] body, List<ValidationError> errors)
    {
        if (body.Length == 0)
        {
            return null;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            if (root.ValueKind != JsonValueKind.Object)
            {
                errors.Add(new ValidationError("model_attributes_type", ["body"],
                    "Input should be a valid dictionary or object to extract fields from", PyRepr.Of(root)));
                return null;
            }

            if (!root.TryGetProperty("summary", out var summary) || summary.ValueKind == JsonValueKind.Null)
            {
                return null;
            }

            if (summary.ValueKind == JsonValueKind.String)
            {
                return summary.GetString();
            }

            errors.Add(new ValidationError("string_type", ["body", "summary"], "Input should be a valid string", PyRepr.Of(summary)));
            return null;
        }
        catch (JsonException exception)
        {
            errors.Add(new ValidationError("json_invalid", ["body", 0], "JSON decode error", "{}",
                $"{{'error': {PyRepr.Str(exception.Message)}}}"));
            return null;
        }
    }
}
