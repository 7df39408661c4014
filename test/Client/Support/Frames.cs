using System.Text;

namespace LettaSockets.Client.Tests.Support;

/// <summary>Reading a turn to its end, bounded, and what the tests check in its frames.</summary>
internal static class Frames
{
    /// <summary>The bound of any single wait in these tests.</summary>
    public static readonly TimeSpan Wait = TimeSpan.FromSeconds(30);

    public static async Task<List<TurnFrame>> ReadAllAsync(IAsyncEnumerable<TurnFrame> turn, Action<TurnFrame>? onFrame = null)
    {
        var frames = new List<TurnFrame>();
        await foreach (TurnFrame frame in turn)
        {
            frames.Add(frame);
            onFrame?.Invoke(frame);
        }

        return frames;
    }

    public static Task<List<TurnFrame>> ReadAllBoundedAsync(IAsyncEnumerable<TurnFrame> turn, Action<TurnFrame>? onFrame = null) =>
        ReadAllAsync(turn, onFrame).WaitAsync(Wait);

    public static string Text(IEnumerable<TurnFrame> frames)
    {
        var text = new StringBuilder();
        foreach (ChunkFrame chunk in frames.OfType<ChunkFrame>())
        {
            text.Append(chunk.Content);
        }

        return text.ToString();
    }

    /// <summary>"word1 word2 …".</summary>
    public static string ManyWords(int count) =>
        string.Join(' ', Enumerable.Range(1, count).Select(i => $"word{i}"));
}
