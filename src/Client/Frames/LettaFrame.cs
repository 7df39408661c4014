namespace LettaSockets.Client;

/// <summary>A frame the gateway sent (docs/PROTOCOL.md, "Receiving"): one record type per frame type.</summary>
public abstract record LettaFrame
{
    /// <summary>The frame's <c>type</c> on the wire.</summary>
    public abstract string Type { get; }
}
