using System.Text;
using System.Text.Json;
using LettaSockets.Protocol.Frames;
using LettaSockets.Server.Upstream;

namespace LettaSockets.Server.Letta;

/// <summary>
/// Letta's stored messages (<c>GET /v1/agents/{id}/messages</c>, <c>GET /v1/conversations/{id}/messages</c>;
/// the same objects its stream sends) as the frames a live turn carries them in. Message kinds a client
/// never sees live (system messages, events) are left out.
/// </summary>
internal static class LettaHistory
{
    /// <summary>
    /// Reads a page Letta answered with <c>order=desc</c> and returns it oldest first. Letta counts and
    /// orders <em>stored</em> messages (one LLM response is one stored message that lists as several —
    /// reasoning, then text or a tool call — sharing its id, always in their own order). The agent route
    /// returns its newest stored messages oldest first; the conversation route returns them newest first.
    /// </summary>
    public static HistoryPage Read(JsonElement page, int limit, bool newestFirst)
    {
        var stored = new List<List<JsonElement>>();
        string? lastId = null;
        if (page.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement message in page.EnumerateArray())
            {
                string? id = Text(message, "id");
                if (stored.Count == 0 || id is null || id != lastId)
                {
                    stored.Add([]);
                }

                stored[^1].Add(message);
                lastId = id;
            }
        }

        if (newestFirst)
        {
            stored.Reverse();
        }

        var items = new List<HistoryItem>();
        foreach (JsonElement message in stored.SelectMany(parts => parts))
        {
            if (ToItem(message) is { } item)
            {
                items.Add(item);
            }
        }

        string? oldest = stored.Count > 0 ? Text(stored[0][0], "id") : null;
        return new HistoryPage(items, stored.Count >= limit, oldest);
    }

    private static HistoryItem? ToItem(JsonElement m)
    {
        string messageId = Text(m, "otid") ?? Text(m, "id") ?? "message";
        string? run = Text(m, "run_id");
        string? date = Text(m, "date");
        switch (Text(m, "message_type"))
        {
            case "user_message":
                return new HistoryItem("user_message", messageId, run, date, Content(m, "content"));
            case "assistant_message":
                return new HistoryItem("chunk", messageId, run, date, Content(m, "content"));
            case "reasoning_message":
                return new HistoryItem("reasoning", messageId, run, date, Text(m, "reasoning") ?? string.Empty);
            case "hidden_reasoning_message":
                return new HistoryItem("reasoning", messageId, run, date, Text(m, "hidden_reasoning") ?? string.Empty) { Hidden = true };
            case "tool_call_message" or "approval_request_message" when Call(m) is { } call:
                return new HistoryItem(Text(m, "message_type") == "tool_call_message" ? "tool_call" : "approval_request", messageId, run, date, Text(call, "arguments") ?? string.Empty)
                {
                    Name = Text(call, "name"),
                    ToolCallId = Text(call, "tool_call_id"),
                };
            case "tool_return_message":
                return new HistoryItem("tool_result", messageId, run, date, Content(m, "tool_return"))
                {
                    Name = Text(m, "name"),
                    ToolCallId = Text(m, "tool_call_id"),
                    Status = Text(m, "status"),
                };
            default:
                return null;
        }
    }

    /// <summary>The call of a tool or approval message: <c>tool_call</c>, else the first of <c>tool_calls</c>.</summary>
    private static JsonElement? Call(JsonElement m)
    {
        if (m.TryGetProperty("tool_call", out JsonElement call) && call.ValueKind == JsonValueKind.Object)
        {
            return call;
        }

        if (m.TryGetProperty("tool_calls", out JsonElement calls))
        {
            if (calls.ValueKind == JsonValueKind.Object)
            {
                return calls;
            }

            if (calls.ValueKind == JsonValueKind.Array && calls.GetArrayLength() > 0)
            {
                return calls[0];
            }
        }

        return null;
    }

    /// <summary>A string field, or the text parts of an array of content parts, joined.</summary>
    private static string Content(JsonElement m, string name)
    {
        if (!m.TryGetProperty(name, out JsonElement content))
        {
            return string.Empty;
        }

        if (content.ValueKind == JsonValueKind.String)
        {
            return content.GetString() ?? string.Empty;
        }

        var text = new StringBuilder();
        if (content.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement part in content.EnumerateArray())
            {
                text.Append(Text(part, "text"));
            }
        }

        return text.ToString();
    }

    private static string? Text(JsonElement e, string name) => JsonFields.String(e, name);
}
