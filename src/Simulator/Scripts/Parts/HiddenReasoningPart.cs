namespace LettaSockets.Simulator;

/// <summary>A <c>hidden_reasoning_message</c>; <paramref name="State"/> is <c>omitted</c> or <c>redacted</c>.</summary>
public sealed record HiddenReasoningPart(string State = "omitted", string? Text = null) : ScriptPart;
