namespace LettaSockets.Simulator.Runs;

/// <summary>
/// Reads a background run's stored frames after a cursor, then tails the live ones. Stops after an
/// error frame: Letta's reader returns there, so background clients never see a [DONE] after an error (Letta's errors).
/// </summary>
internal sealed class LogFrameSource(RunLog log, int startIndex) : IFrameSource
{
    private int _index = startIndex;
    private bool _ended;

    public bool TryRead(out RunChunk chunk)
    {
        if (_ended || !log.TryRead(_index, out chunk))
        {
            chunk = default;
            return false;
        }

        _index++;
        _ended = chunk.Kind == RunChunkKind.Error;
        return true;
    }

    public async ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken) =>
        !_ended && await log.WaitForAsync(_index, cancellationToken).ConfigureAwait(false);
}
