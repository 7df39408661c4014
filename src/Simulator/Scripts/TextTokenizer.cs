using System.Globalization;

namespace LettaSockets.Simulator.Scripts;

/// <summary>
/// Splits text the way token streaming looks on the wire: a word with its leading whitespace, long
/// runs cut into pieces of at most <see cref="MaxPieceLength"/> chars. Cuts fall only between text
/// elements, so surrogate pairs and emoji sequences always arrive whole; the pieces concatenate to
/// the input exactly.
/// </summary>
internal static class TextTokenizer
{
    public const int MaxPieceLength = 8;

    public static List<string> Split(string text)
    {
        var tokens = new List<string>();
        var index = 0;
        while (index < text.Length)
        {
            var start = index;
            while (index < text.Length && char.IsWhiteSpace(text[index]))
            {
                index += ElementLength(text, index);
            }

            while (index < text.Length && !char.IsWhiteSpace(text[index]))
            {
                index += ElementLength(text, index);
            }

            AddPieces(text, start, index, tokens);
        }

        return tokens;
    }

    private static void AddPieces(string text, int start, int end, List<string> tokens)
    {
        if (end - start <= MaxPieceLength)
        {
            tokens.Add(text[start..end]);
            return;
        }

        var pieceStart = start;
        var index = start;
        while (index < end)
        {
            var length = ElementLength(text, index);
            if (index > pieceStart && index + length - pieceStart > MaxPieceLength)
            {
                tokens.Add(text[pieceStart..index]);
                pieceStart = index;
            }

            index += length;
        }

        tokens.Add(text[pieceStart..end]);
    }

    private static int ElementLength(string text, int index) =>
        Math.Max(1, StringInfo.GetNextTextElementLength(text.AsSpan(index)));
}
