using LettaSockets.Protocol.Frames;

namespace LettaSockets.Protocol.Parsing;

/// <summary>Either a frame or the error to answer it with.</summary>
public readonly record struct ClientFrameParseResult(ClientFrame? Frame, ClientFrameError? Error)
{
    public bool IsValid => Frame is not null;

    public static ClientFrameParseResult Ok(ClientFrame frame) => new(frame, null);

    public static ClientFrameParseResult Fail(string code, string message, string? id = null) =>
        new(null, new ClientFrameError(code, message, id));
}
