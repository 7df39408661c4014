using System.Text.Json;
using LettaSockets.Simulator.Wire;

namespace LettaSockets.Simulator.Http;

/// <summary>A JSON error answer before any stream, with Letta's bodies (Letta's errors).</summary>
internal readonly record struct ApiError(int StatusCode, string Body)
{
    private const string ExampleAgentId = "agent-123e4567-e89b-42d3-8456-426614174000";

    public static ApiError Detail(int statusCode, string detail) => new(statusCode, Json(w => w.WriteString("detail", detail)));

    public static ApiError Unauthorized() => Detail(401, "Unauthorized");

    public static ApiError AgentNotFound(string agentId) => Detail(404, $"Agent with ID {agentId} not found");

    public static ApiError RunNotFound(string runId) => Detail(404, $"Run with id {runId} not found");

    /// <summary>A history cursor that names no stored message (Letta's NoResultFound, 404).</summary>
    public static ApiError MessageNotFound(string messageId, string agentId) =>
        Detail(404, $"No message found with id '{messageId}' for agent '{agentId}'.");

    public static ApiError NoActiveRuns(string agentId) => Detail(409, $"CONFLICT: No active runs to cancel for agent {agentId}");

    /// <summary>
    /// Letta's ORM NoResultFound text; the server goes on with actor-specific conditions
    /// (<c>, access level in ['read'] for …, is_deleted=False</c>) that a fake cannot know, so only the stable prefix.
    /// </summary>
    public static ApiError ConversationNotFound(string conversationId) => Detail(404, $"Conversation not found with id={conversationId}");

    /// <summary>Letta's errors / Letta's concurrency and otids: the conversation (or default-conversation) lock is held by <paramref name="runId"/>.</summary>
    public static ApiError ConversationBusy(string runId) => new(409, Json(w =>
    {
        w.WriteString("detail", $"CONFLICT: Cannot send a new message: Another request (run_id={runId}) is currently being processed for this conversation. Please wait for it to complete.");
        w.WriteString("run_id", runId);
    }));

    public static ApiError NoActiveConversationRuns(string conversationId) =>
        Detail(409, $"CONFLICT: No active runs to cancel for conversation {conversationId}");

    /// <summary>The conversation re-attach found nothing to attach to.</summary>
    public static ApiError NoActiveRunsToStream() => Detail(400, "INVALID_ARGUMENT: No active runs found for this conversation.");

    /// <summary>The conversation re-attach's wording, which (unlike the run route's) names no run.</summary>
    public static ApiError ConversationRunNotBackground() =>
        Detail(400, "INVALID_ARGUMENT: Run was not created in background mode, so it cannot be retrieved.");

    public static ApiError Expired() =>
        Detail(410, "EXPIRED: Run was created more than 3 hours ago, and is now expired.");

    public static ApiError NotBackground(string runId) =>
        Detail(400, $"INVALID_ARGUMENT: Run {runId} was not created in background mode, so it cannot be retrieved.");

    public static ApiError Unknown() => Detail(500, "An unknown error occurred");

    /// <summary>FastAPI validation failure: <c>detail</c> is the repr of the error list, a string.</summary>
    public static ApiError Validation(IReadOnlyList<ValidationError> errors, bool pathIdExample = false) => new(422, Json(w =>
    {
        w.WriteString("trace_id", "");
        w.WriteString("detail", "[" + string.Join(", ", errors.Select(e => e.ToRepr())) + "]");
        if (pathIdExample)
        {
            w.WriteStartArray("examples");
            w.WriteStringValue(ExampleAgentId);
            w.WriteEndArray();
        }
    }));

    /// <summary>A path id that fails Letta's pattern (Letta's auth and headers: validated before anything else).</summary>
    public static ApiError InvalidPathId(string parameter, string value, string pattern) => Validation(
        [
            new ValidationError(
                "string_pattern_mismatch",
                ["path", parameter],
                $"String should match pattern '{pattern}'",
                PyRepr.Str(value),
                $"{{'pattern': {PyRepr.Str(pattern)}}}"),
        ],
        pathIdExample: parameter == "agent_id");

    /// <summary>
    /// Default body for an injected status (Letta's shape for that status where it has one);
    /// <paramref name="subjectId"/> is the agent or run the request named.
    /// </summary>
    public static ApiError ForStatus(int statusCode, string subjectId) => statusCode switch
    {
        400 => Detail(400, "INVALID_ARGUMENT: Bad request (injected fault)."),
        401 => Unauthorized(),
        403 => Detail(403, "Forbidden"),
        404 when subjectId.StartsWith("run-", StringComparison.Ordinal) => RunNotFound(subjectId),
        404 when subjectId.StartsWith("conv-", StringComparison.Ordinal) => ConversationNotFound(subjectId),
        404 => AgentNotFound(subjectId),
        409 => Detail(409, "The resource is currently locked by another operation. Please retry shortly."),
        410 => Expired(),
        422 => Validation([new ValidationError("value_error", ["body"], "Value error, injected fault", "{}")]),
        429 => new(429, Json(w =>
        {
            w.WriteStartObject("error");
            w.WriteString("type", "llm_rate_limit");
            w.WriteString("message", "Rate limit exceeded for LLM model provider. Please wait before making another request.");
            w.WriteString("detail", "RATE_LIMIT_EXCEEDED: injected fault");
            w.WriteEndObject();
        })),
        503 => Detail(503, "Service unavailable (injected fault)."),
        _ when statusCode >= 500 => Unknown() with { StatusCode = statusCode },
        _ => Detail(statusCode, $"Injected fault {statusCode}."),
    };

    private static string Json(Action<Utf8JsonWriter> write) => JsonText.Object(write);
}
