namespace LettaSockets.Server.Upstream;

/// <summary>
/// Letta (or the way to it) failed in a way the client must hear about: carries the protocol error
/// code and a message that is safe to show (never a key, never a stack trace).
/// </summary>
public sealed class UpstreamException : Exception
{
    public UpstreamException(string code, string message, bool retryable, TimeSpan? retryAfter = null, string? detail = null, Exception? inner = null)
        : base(message, inner)
    {
        Code = code;
        Retryable = retryable;
        RetryAfter = retryAfter;
        Detail = detail;
    }

    public string Code { get; }

    public bool Retryable { get; }

    public TimeSpan? RetryAfter { get; }

    public string? Detail { get; }

    /// <summary>HTTP status Letta answered with, when the failure was a status.</summary>
    public int? StatusCode { get; init; }
}
