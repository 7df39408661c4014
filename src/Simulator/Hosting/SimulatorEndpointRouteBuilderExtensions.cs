using LettaSockets.Simulator.Http;
using Microsoft.AspNetCore.Routing;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;

namespace LettaSockets.Simulator;

/// <summary>Maps Letta's routes (<c>/v1/…</c>) and the simulator's control routes (<c>/_sim/…</c>).</summary>
public static class SimulatorEndpointRouteBuilderExtensions
{
    public static IEndpointRouteBuilder MapLettaSimulator(this IEndpointRouteBuilder endpoints)
    {
        var simulator = endpoints.ServiceProvider.GetRequiredService<LettaSimulator>();
        var lifetime = endpoints.ServiceProvider.GetService<IHostApplicationLifetime>();

        // Streams end when the host stops or the simulator shuts down, so Kestrel never waits on them.
        var stopping = CancellationTokenSource.CreateLinkedTokenSource(
            lifetime?.ApplicationStopping ?? CancellationToken.None,
            simulator.Launcher.ShutdownToken).Token;
        LettaApi.Map(endpoints, simulator, stopping);
        return endpoints;
    }
}
