using System.Threading.Channels;
using LettaSockets.Protocol.Chunks;

namespace LettaSockets.Server.Turns;

/// <summary>Where a turn's frames go: a WebSocket session or one <c>POST /stream</c> request.</summary>
public interface ITurnHost
{
    /// <summary>The bounded outbound queue; its single reader is the host's writer loop.</summary>
    ChannelWriter<StreamChunk> Output { get; }

    /// <summary>Cancelled when the host is going away (socket closed, request aborted).</summary>
    CancellationToken Aborted { get; }

    /// <summary>Claims the right to send <paramref name="turn"/>'s one terminal frame; false when
    /// someone else already did (a cancel raced the pump, or the other way round).</summary>
    bool TryFinish(Turn turn);

    /// <summary>Called once the turn's pump has fully stopped (upstream drained or abandoned).</summary>
    void OnPumpStopped(Turn turn);

    /// <summary>True when deltas the upstream delivered together may reach this host as one chunk
    /// (<see cref="DeltaBatch"/>); false where every upstream event must stay its own frame.</summary>
    bool JoinsDeltas { get; }

    /// <summary>Where a stage between the pump and the queue (a pacer) reports the bytes it holds.</summary>
    Action<long>? BufferedChanged { get; }
}
