using LettaSockets.Server.Connections;
using Microsoft.Extensions.Options;
using LettaSockets.Server.Upstream;

namespace LettaSockets.Server.Sockets;

/// <summary>Raises the host's shutdown timeout above what a drain needs (turns, then their cancel
/// calls, then the close handshake, plus a margin), so the host does not cut a drain short.</summary>
internal sealed class ShutdownTimeoutSetup(IOptions<SocketOptions> sockets, IOptions<LettaOptions> letta) : IConfigureOptions<HostOptions>
{
    private static readonly TimeSpan Margin = TimeSpan.FromSeconds(5);

    public void Configure(HostOptions options)
    {
        TimeSpan needed;
        try
        {
            needed = sockets.Value.DrainTimeout + letta.Value.CancelTimeout + sockets.Value.CloseTimeout + Margin;
        }
        catch (OptionsValidationException)
        {
            return; // the host is built before options are validated; start-up reports the problem
        }

        if (options.ShutdownTimeout < needed)
        {
            options.ShutdownTimeout = needed;
        }
    }
}
