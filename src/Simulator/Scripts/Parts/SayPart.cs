namespace LettaSockets.Simulator;

/// <summary>An <c>assistant_message</c> with this text.</summary>
public sealed record SayPart(string Text) : ScriptPart;
