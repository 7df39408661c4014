namespace LettaSockets.Bench.Load;

/// <summary>What one turn delivered: its deltas, the content frames they came in, and why it failed if it did.</summary>
internal readonly record struct TurnResult(int Chunks, string? Error, int Frames = 0);
