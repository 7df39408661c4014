namespace LettaSockets.Client;

/// <summary><c>done.metrics</c>.</summary>
public sealed record DoneMetrics
{
    public double? TtftMs { get; init; }

    public double? TokensPerSecond { get; init; }

    public double DurationMs { get; init; }

    public long Chunks { get; init; }

    public long Frames { get; init; }

    public long OutputChars { get; init; }
}
