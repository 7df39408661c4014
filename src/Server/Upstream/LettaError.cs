namespace LettaSockets.Server.Upstream;

/// <summary>An in-stream error (Letta docs: guides/agents/streaming <c>error_message</c>, or the older <c>{"error":…}</c> shapes).</summary>
public sealed record LettaError(string? ErrorType, string? Message, string? Detail);
