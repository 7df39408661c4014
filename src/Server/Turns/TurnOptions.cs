namespace LettaSockets.Server.Turns;

/// <summary>Per-turn settings resolved when the turn is accepted.</summary>
/// <param name="WindDownTimeout">How long a cancelled run may take to stop in Letta before its stream is dropped.</param>
/// <param name="MaxCharsPerSecond">Output pacing; null = unpaced.</param>
/// <param name="MaxPacedBytes">Bytes a paced turn holds ahead of its pace at most (<see cref="ChunkBytes"/>).</param>
public sealed record TurnOptions(TimeSpan WindDownTimeout, double? MaxCharsPerSecond = null, long MaxPacedBytes = 256 * 1024);
