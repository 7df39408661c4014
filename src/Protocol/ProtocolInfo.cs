namespace LettaSockets.Protocol;

/// <summary>Constants every client and the server agree on.</summary>
public static class ProtocolInfo
{
    /// <summary>The WebSocket subprotocol (and <c>ready.protocol</c> value) of this wire contract.</summary>
    public const string SubProtocol = "letta-sockets.v1";

    /// <summary>The server's product name in <c>ready.server.name</c>.</summary>
    public const string ServerName = "LettaSockets";
}
