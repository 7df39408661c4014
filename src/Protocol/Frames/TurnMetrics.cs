namespace LettaSockets.Protocol.Frames;

/// <summary>What a turn's <c>done</c> frame reports about it (its <c>metrics</c> object, with the
/// timestamps of <see cref="DoneInfo"/> and the turn). Filled in by the writer as it sends the frame.</summary>
/// <param name="FirstContentTimestamp">When the first content delta arrived (0 if none did).</param>
/// <param name="Chunks">Deltas relayed from Letta, before merging.</param>
/// <param name="Frames">Frames sent for the turn before this one.</param>
/// <param name="OutputChars">Characters of assistant text relayed.</param>
public readonly record struct TurnMetrics(long FirstContentTimestamp, int Chunks, int Frames, long OutputChars);
