using Microsoft.Extensions.Hosting;

namespace LettaSockets.Simulator.Hosting;

/// <summary>Stops the simulator's runs when its host stops.</summary>
internal sealed class SimulatorLifetimeService(LettaSimulator simulator) : IHostedService
{
    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => simulator.ShutdownAsync();
}
