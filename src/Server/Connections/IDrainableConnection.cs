namespace LettaSockets.Server.Connections;

/// <summary>A live client connection that graceful shutdown drains: a WebSocket session or one <c>POST /stream</c> request.</summary>
public interface IDrainableConnection
{
    string ConnectionId { get; }

    /// <summary>Turns that have not sent their terminal frame yet.</summary>
    int ActiveTurns { get; }

    /// <summary>Lets active turns finish for up to <paramref name="drainTimeout"/>, then cancels them
    /// (<c>cancelled_by: shutdown</c>). Idempotent; returns at once.</summary>
    void BeginShutdown(TimeSpan drainTimeout);
}
