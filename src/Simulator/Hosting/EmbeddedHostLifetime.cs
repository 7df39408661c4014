using Microsoft.Extensions.Hosting;

namespace LettaSockets.Simulator.Hosting;

/// <summary>
/// Replaces the console lifetime: a simulator hosted inside a test or another server must not react to
/// Ctrl+C or SIGTERM itself; its owner disposes it.
/// </summary>
internal sealed class EmbeddedHostLifetime : IHostLifetime
{
    public Task WaitForStartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;
}
