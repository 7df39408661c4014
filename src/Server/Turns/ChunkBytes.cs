using LettaSockets.Protocol.Chunks;
using LettaSockets.Protocol.Frames;

namespace LettaSockets.Server.Turns;

/// <summary>What a queued frame holds in memory: its strings (UTF-16, two bytes a character) plus a
/// fixed allowance for the chunk itself. The unit of every byte bound (docs/PROTOCOL.md, rule 8).</summary>
public static class ChunkBytes
{
    /// <summary>The chunk struct, its payload object and the ids it references but does not own.</summary>
    public const int Overhead = 128;

    public static long Of(in StreamChunk chunk)
    {
        long chars = (chunk.Content?.Length ?? 0) + (chunk.Name?.Length ?? 0);
        switch (chunk.Payload)
        {
            case ToolResultInfo result:
                chars += (result.Result?.Length ?? 0) + Sum(result.Stdout) + Sum(result.Stderr);
                break;
            case ApprovalInfo approval:
                chars += approval.Arguments.Length;
                break;
            case ErrorInfo error:
                chars += error.Message.Length + (error.Detail?.Length ?? 0);
                break;
        }

        return Overhead + (2 * chars);
    }

    private static long Sum(IReadOnlyList<string>? lines)
    {
        long total = 0;
        if (lines is not null)
        {
            foreach (string line in lines)
            {
                total += line.Length;
            }
        }

        return total;
    }
}
