namespace LettaSockets.Client;

/// <summary>Codes of the <see cref="ErrorFrame"/>s the client makes itself (<see cref="ErrorFrame.IsClientSide"/>).</summary>
public static class ClientErrorCodes
{
    /// <summary>The socket dropped and the turn cannot be resumed (not resumable, or never reached the server): send it again.</summary>
    public const string ConnectionLost = "connection_lost";

    /// <summary>The request was made while the client was reconnecting.</summary>
    public const string NotConnected = "not_connected";

    /// <summary>The client was disposed while the turn ran.</summary>
    public const string Closed = "closed";
}
