namespace LettaSockets.Server.Upstream;

/// <summary>One turn's open stream of upstream events. Reading ends at the upstream's end of the run, or
/// with an <see cref="UpstreamException"/> (silence past the idle timeout, a broken stream).</summary>
public interface IUpstreamStream : IAsyncDisposable
{
    IAsyncEnumerable<LettaEvent> ReadAsync(CancellationToken cancellationToken);
}
