using LettaSockets.Simulator.Hosting;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LettaSockets.Simulator;

/// <summary>Registers the simulator in an existing host (the server's, or <see cref="SimulatorHost"/>'s own).</summary>
public static class SimulatorServiceCollectionExtensions
{
    public static IServiceCollection AddLettaSimulator(this IServiceCollection services, SimulatorOptions options)
    {
        ArgumentNullException.ThrowIfNull(options);
        services.AddSingleton(options);
        services.AddSingleton(sp => new LettaSimulator(options, sp.GetService<TimeProvider>(), sp.GetService<ILoggerFactory>()));
        services.AddHostedService<SimulatorLifetimeService>();
        return services;
    }
}
