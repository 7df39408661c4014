namespace LettaSockets.Server.Turns;

/// <summary>Per-turn settings resolved when the turn is accepted.</summary>
public sealed record TurnOptions(TimeSpan WindDownTimeout, double? MaxCharsPerSecond = null);
