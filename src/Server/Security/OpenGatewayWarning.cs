using System.Net;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;

namespace LettaSockets.Server.Security;

/// <summary>Once Kestrel listens: warns when no client key is configured and the gateway is
/// reachable from beyond this machine, since anyone who can reach it can then spend the agents' budget.</summary>
internal sealed partial class OpenGatewayWarning(ClientKeyRing keys, IServer server, ILogger<OpenGatewayWarning> logger) : IHostedLifecycleService
{
    public Task StartedAsync(CancellationToken cancellationToken)
    {
        if (keys.IsOpen)
        {
            ICollection<string> addresses = server.Features.Get<IServerAddressesFeature>()?.Addresses ?? [];
            string[] exposed = addresses.Where(a => !IsLoopback(a)).ToArray();
            if (exposed.Length > 0)
            {
                Log.OpenGateway(logger, string.Join(", ", exposed));
            }
        }

        return Task.CompletedTask;
    }

    public Task StartingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StartAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppingAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StopAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    public Task StoppedAsync(CancellationToken cancellationToken) => Task.CompletedTask;

    /// <summary>True for localhost and loopback IPs; false for wildcards (<c>0.0.0.0</c>, <c>[::]</c>, <c>*</c>, <c>+</c>) and anything else.</summary>
    internal static bool IsLoopback(string address)
    {
        int scheme = address.IndexOf("://", StringComparison.Ordinal);
        string rest = scheme < 0 ? address : address[(scheme + 3)..];
        int slash = rest.IndexOf('/');
        string authority = slash < 0 ? rest : rest[..slash];
        string host = authority.StartsWith('[') ? authority[..(authority.IndexOf(']') + 1)] : authority.Split(':')[0];
        return host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
            || (IPAddress.TryParse(host.Trim('[', ']'), out IPAddress? ip) && IPAddress.IsLoopback(ip));
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 7002, Level = LogLevel.Warning, Message = "No client keys are configured (Auth:ApiKeys) and the gateway listens on {Addresses}: anyone who can reach it can use the agents. Configure Auth:ApiKeys, or listen on localhost only.")]
        public static partial void OpenGateway(ILogger logger, string addresses);
    }
}
