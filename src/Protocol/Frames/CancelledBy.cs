namespace LettaSockets.Protocol.Frames;

/// <summary>Who ended a turn early; the wire value of <c>done.cancelled_by</c>.</summary>
public enum CancelledBy
{
    None = 0,
    Client,
    Disconnect,
    Shutdown,
    Upstream,
    /// <summary>The client stopped reading and was closed as a slow consumer.</summary>
    SlowConsumer,
}

/// <summary>Wire names for <see cref="CancelledBy"/>.</summary>
public static class CancelledByExtensions
{
    public static string? ToWire(this CancelledBy value) => value switch
    {
        CancelledBy.Client => "client",
        CancelledBy.Disconnect => "disconnect",
        CancelledBy.Shutdown => "shutdown",
        CancelledBy.Upstream => "upstream",
        CancelledBy.SlowConsumer => "slow_consumer",
        _ => null,
    };
}
