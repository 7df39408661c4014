namespace LettaSockets.Protocol.Frames;

/// <summary>The <c>type</c> of a frame a client sends.</summary>
public enum ClientFrameType
{
    Message,
    Cancel,
    Resume,
    Ping,
    Approve,

    /// <summary>Asks for recent messages of an agent or conversation (answered by one <c>history</c> frame).</summary>
    History,

    /// <summary>Follows an agent or conversation: turns started elsewhere stream to this socket too.</summary>
    Follow,

    /// <summary>Stops a <see cref="Follow"/>.</summary>
    Unfollow,
}
