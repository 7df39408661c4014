using LettaSockets.Server.Letta;
using LettaSockets.Simulator;
using Microsoft.Extensions.Options;
using LettaSockets.Server.Upstream;

namespace LettaSockets.Server.Hosting;

/// <summary>
/// When <c>Letta:BaseUrl</c> is empty, hosts the Letta simulator on a loopback port before the
/// gateway starts listening, and points the Letta client at it over real HTTP — so every code path
/// (HTTP, SSE, retries, cancel) is the one used against a real Letta.
/// </summary>
public sealed partial class EmbeddedSimulator(LettaEndpoint endpoint, IOptions<LettaOptions> letta, IOptions<SimulatorOptions> simulator, ILogger<EmbeddedSimulator> logger) : IHostedLifecycleService
{
    /// <summary>The simulator's demo assistant: the default agent when the simulator is embedded.</summary>
    public const string AssistantAgentId = "agent-00000000-0000-4000-8000-000000000001";

    private SimulatorHost? _host;

    /// <summary>The running simulator, when embedded (tests reach its journal and faults here).</summary>
    public SimulatorHost? Host => _host;

    public async Task StartingAsync(CancellationToken cancellationToken)
    {
        if (!letta.Value.UsesEmbeddedSimulator)
        {
            endpoint.Resolve(new Uri(letta.Value.BaseUrl!));
            return;
        }

        try
        {
            _host = await SimulatorHost.StartAsync(simulator.Value, cancellationToken).ConfigureAwait(false);
            endpoint.Resolve(_host.BaseUrl);
            Log.Embedded(logger, _host.BaseUrl);
        }
        catch (Exception e)
        {
            endpoint.Fail(e);
            throw;
        }
    }

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public async Task StoppedAsync(CancellationToken cancellationToken)
    {
        if (_host is not null)
        {
            await _host.DisposeAsync().ConfigureAwait(false);
        }
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 4001, Level = LogLevel.Information, Message = "No Letta:BaseUrl configured: using the embedded Letta simulator at {BaseUrl}. Set Letta__BaseUrl to talk to Letta Cloud or a self-hosted Letta.")]
        public static partial void Embedded(ILogger logger, Uri baseUrl);
    }
}
