namespace LettaSockets.Simulator.Runs;

/// <summary>Where an SSE response reads a run's frames from: the live channel or the stored log.</summary>
internal interface IFrameSource
{
    bool TryRead(out RunChunk chunk);

    /// <summary>True when a frame can be read; false when the source has ended.</summary>
    ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken);
}
