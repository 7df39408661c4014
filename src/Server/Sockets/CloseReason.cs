namespace LettaSockets.Server.Sockets;

/// <summary>Why the server is closing a connection (decides the close status and <c>cancelled_by</c>).</summary>
public enum CloseReason
{
    /// <summary>The client closed or vanished.</summary>
    ClientGone,
    /// <summary>The client stopped reading (1008 <c>slow_consumer</c>).</summary>
    SlowConsumer,
    /// <summary>The server is shutting down (1001, or 1012 when turns can be resumed elsewhere).</summary>
    Shutdown,
}
