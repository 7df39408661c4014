namespace LettaSockets.Server.Upstream;

/// <summary>An in-stream error (reference §5.3 <c>error_message</c>, or the older <c>{"error":…}</c> shapes).</summary>
public sealed record LettaError(string? ErrorType, string? Message, string? Detail);
