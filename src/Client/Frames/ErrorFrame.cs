namespace LettaSockets.Client;

/// <summary>
/// <c>error</c>: the request failed (docs/PROTOCOL.md, "Errors"), or — <see cref="IsClientSide"/> — the
/// client ended it (<see cref="ClientErrorCodes"/>). Without <see cref="TurnFrame.Id"/> it concerns no request.
/// </summary>
public sealed record ErrorFrame : TurnFrame
{
    public override string Type => "error";

    public string Code { get; init; } = "";

    public string Message { get; init; } = "";

    public bool Retryable { get; init; }

    public long? RetryAfterMs { get; init; }

    public string? StopReason { get; init; }

    public string? Detail { get; init; }

    /// <summary>True when this client made the frame (see <see cref="ClientErrorCodes"/>).</summary>
    public bool IsClientSide { get; init; }
}
