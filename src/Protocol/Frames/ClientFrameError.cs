namespace LettaSockets.Protocol.Frames;

/// <summary>Why a client frame was rejected: an error code of §2, a readable message, and the
/// request id when the frame got far enough to tell it.</summary>
public sealed record ClientFrameError(string Code, string Message, string? Id = null);
