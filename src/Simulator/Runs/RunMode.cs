namespace LettaSockets.Simulator.Runs;

/// <summary>How a run's output reaches the caller.</summary>
internal enum RunMode
{
    /// <summary>SSE on the request's own connection.</summary>
    Foreground,

    /// <summary>SSE through the stored log (Letta's background runs), re-attachable.</summary>
    Background,

    /// <summary><c>streaming:false</c>: one JSON response when the run ends.</summary>
    Blocking,
}
