namespace LettaSockets.Protocol.Frames;

/// <summary>Why a client frame was rejected: an error code of docs/PROTOCOL.md, a readable message, and the
/// request id when the frame got far enough to tell it.</summary>
public sealed record ClientFrameError(string Code, string Message, string? Id = null);
