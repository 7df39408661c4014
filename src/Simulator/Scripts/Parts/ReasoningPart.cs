namespace LettaSockets.Simulator;

/// <summary>A <c>reasoning_message</c>; <paramref name="Source"/> is <c>reasoner_model</c> or <c>non_reasoner_model</c>.</summary>
public sealed record ReasoningPart(string Text, string Source = "reasoner_model") : ScriptPart;
