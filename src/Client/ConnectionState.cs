namespace LettaSockets.Client;

/// <summary>Where a <see cref="LettaSocketsClient"/>'s socket is.</summary>
public enum ConnectionState
{
    /// <summary>The gateway's <c>ready</c> arrived: requests go out.</summary>
    Live,

    /// <summary>The socket dropped; the client waits (capped, jittered backoff) or is opening another.</summary>
    Reconnecting,

    /// <summary>Disposed, or dropped with reconnecting switched off.</summary>
    Closed,
}
