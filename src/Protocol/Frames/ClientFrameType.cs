namespace LettaSockets.Protocol.Frames;

/// <summary>The <c>type</c> of a frame a client sends.</summary>
public enum ClientFrameType
{
    Message,
    Cancel,
    Resume,
    Ping,
    Approve,
}
