namespace LettaSockets.Simulator;

/// <summary>
/// Benchmark output: <paramref name="Count"/> assistant deltas, each starting with the sender's
/// <c>Stopwatch.GetTimestamp()</c> and <c>|</c>, padded to <paramref name="Size"/> bytes, at
/// <paramref name="PerSecond"/> deltas per second (0 = as fast as possible; not scaled by the pace multiplier).
/// </summary>
public sealed record TimestampedDeltasPart(int Count, double PerSecond, int Size) : ScriptPart;
