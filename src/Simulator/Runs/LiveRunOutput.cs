using System.Threading.Channels;

namespace LettaSockets.Simulator.Runs;

/// <summary>
/// Hands a foreground run's frames to its HTTP response. Bounded, so a slow client slows the run as
/// TCP backpressure would; once the response is gone (<see cref="Detach"/>) frames are dropped and
/// the run carries on — closing the connection never cancels a run (Letta's cancellation).
/// </summary>
internal sealed class LiveRunOutput : IFrameSource
{
    private const int Capacity = 64;

    private readonly Channel<RunChunk> _channel = Channel.CreateBounded<RunChunk>(
        new BoundedChannelOptions(Capacity) { SingleReader = true, SingleWriter = true });

    private readonly CancellationTokenSource _detached = new();

    public async ValueTask WriteAsync(RunChunk chunk)
    {
        if (_detached.IsCancellationRequested || _channel.Writer.TryWrite(chunk))
        {
            return;
        }

        try
        {
            await _channel.Writer.WriteAsync(chunk, _detached.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (_detached.IsCancellationRequested)
        {
            // The reader left while we waited for room; the frame has nowhere to go.
        }
        catch (ChannelClosedException)
        {
        }
    }

    public void Complete() => _channel.Writer.TryComplete();

    public void Detach()
    {
        _detached.Cancel();
        _channel.Writer.TryComplete();
        while (_channel.Reader.TryRead(out _))
        {
        }
    }

    public bool TryRead(out RunChunk chunk) => _channel.Reader.TryRead(out chunk);

    public ValueTask<bool> WaitToReadAsync(CancellationToken cancellationToken) =>
        _channel.Reader.WaitToReadAsync(cancellationToken);
}
