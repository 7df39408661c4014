namespace LettaSockets.Protocol.Frames;

/// <summary>The stable error codes (docs/PROTOCOL.md, "Errors"). Clients may switch on these strings.</summary>
public static class ErrorCodes
{
    public const string BadFrame = "bad_frame";
    public const string FrameTooLarge = "frame_too_large";
    public const string ContentTooLarge = "content_too_large";
    public const string UnsupportedFrame = "unsupported_frame";
    public const string UnknownType = "unknown_type";
    public const string Busy = "busy";
    public const string TooManyTurns = "too_many_turns";
    public const string RateLimited = "rate_limited";
    public const string InvalidAgentId = "invalid_agent_id";
    public const string AgentNotFound = "agent_not_found";
    public const string NoDefaultAgent = "no_default_agent";
    public const string RunNotFound = "run_not_found";
    public const string RunExpired = "run_expired";
    public const string CursorOutOfRange = "cursor_out_of_range";
    public const string ConversationNotFound = "conversation_not_found";
    public const string NotResumable = "not_resumable";
    public const string UpstreamUnauthorized = "upstream_unauthorized";
    public const string UpstreamUnavailable = "upstream_unavailable";
    public const string UpstreamTimeout = "upstream_timeout";
    public const string UpstreamRejected = "upstream_rejected";
    public const string AgentError = "agent_error";
    public const string ShuttingDown = "shutting_down";
    public const string Internal = "internal";
}
