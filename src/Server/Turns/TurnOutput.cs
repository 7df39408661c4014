using System.Threading.Channels;
using LettaSockets.Protocol.Chunks;

namespace LettaSockets.Server.Turns;

/// <summary>
/// Where one turn's pump sends its frames, and who claims its one terminal frame. Unpaced, both are the
/// host: the pump claims the terminal before it queues it. Paced, frames go through the turn's
/// <see cref="TurnPacer"/>, and the pacer claims the terminal from the host when it releases it (until
/// then the client has not seen the whole answer, and a cancel still applies).
/// </summary>
internal readonly struct TurnOutput(ITurnHost host, TurnPacer? pacer)
{
    public ChannelWriter<StreamChunk> Frames => pacer is null ? host.Output : pacer.Output;

    /// <summary>The host going away: the one thing that stops a terminal frame being queued.</summary>
    public CancellationToken Aborted => host.Aborted;

    /// <summary>True when the pump may queue its terminal frame now.</summary>
    public bool TryClaimTerminal(Turn turn) => pacer is not null || host.TryFinish(turn);
}
