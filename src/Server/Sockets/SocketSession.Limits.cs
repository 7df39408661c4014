using LettaSockets.Protocol.Frames;
using LettaSockets.Server.Security;

namespace LettaSockets.Server.Sockets;

public sealed partial class SocketSession
{
    /// <summary>The per-connection message rate (token bucket); null means unlimited.</summary>
    public MessageRateLimiter? RateLimiter { get; init; }

    /// <summary>
    /// Checks that apply to every turn-starting frame before anything else: the server is not draining,
    /// and the connection is within its message rate (the turn's own rules are <see cref="TurnAdmission"/>'s). Answers the refusal
    /// itself (terminal for <paramref name="id"/>) and returns true when the frame is refused.
    /// </summary>
    private async ValueTask<bool> RefuseTurnAsync(ClientFrame frame, string id, string? agentId)
    {
        if (IsDraining)
        {
            await RejectAsync(ErrorCodes.ShuttingDown, "This server is shutting down and takes no new turns: reconnect and try again.", id, agentId, retryable: true).ConfigureAwait(false);
            return true;
        }

        if (_buffers is { IsOver: true })
        {
            // The instance holds its cap of bytes for clients: no new turns until they have read.
            await RejectAsync(ErrorCodes.TooManyTurns, "This server is holding as much output for its clients as it may: try again shortly.", id, agentId, retryAfterMs: (long)Turns.InstanceBuffers.RetryAfter.TotalMilliseconds, retryable: true).ConfigureAwait(false);
            return true;
        }

        if (RateLimiter is { } limiter && !limiter.TryAcquire(_context.ConnectionId, out TimeSpan wait))
        {
            long waitMs = Math.Max(1, (long)Math.Ceiling(wait.TotalMilliseconds));
            await RejectAsync(ErrorCodes.RateLimited, "Too many messages on this connection: wait retry_after_ms before the next one.", id, agentId, retryAfterMs: waitMs, retryable: true).ConfigureAwait(false);
            return true;
        }

        return false;
    }
}
