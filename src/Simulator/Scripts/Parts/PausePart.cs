namespace LettaSockets.Simulator;

/// <summary>Silence inside a step (a slow LLM or tool); keepalive pings appear during it.</summary>
public sealed record PausePart(TimeSpan Duration) : ScriptPart;
