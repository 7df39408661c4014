namespace LettaSockets.Server.Turns;

/// <summary>Something that holds bytes for a client (a connection) and can give them up by closing as a
/// slow consumer when the instance is over its cap (<see cref="InstanceBuffers"/>).</summary>
public interface IBufferHolder
{
    /// <summary>Bytes queued for this client right now.</summary>
    long QueuedBytes { get; }

    /// <summary>Closes the client as a slow consumer (1008), cancelling its runs; idempotent.</summary>
    void Shed();
}
