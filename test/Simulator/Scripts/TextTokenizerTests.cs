using System.Globalization;
using LettaSockets.Simulator.Scripts;

namespace LettaSockets.Simulator.Tests.Scripts;

[TestClass]
public sealed class TextTokenizerTests
{
    [TestMethod]
    public void Words_keep_their_leading_whitespace()
    {
        CollectionAssert.AreEqual(new[] { "Hello", " world!", "\n\tNext" }, TextTokenizer.Split("Hello world!\n\tNext"));
    }

    [TestMethod]
    [DataRow("")]
    [DataRow("  leading and trailing  ")]
    [DataRow("supercalifragilisticexpialidocious and antidisestablishmentarianism")]
    [DataRow("emoji 👋🏽👨‍👩‍👧‍👦🇫🇷 run👋🏽👋🏽👋🏽👋🏽👋🏽 mixed")]
    [DataRow("combining e\u0301e\u0301e\u0301e\u0301e\u0301e\u0301e\u0301 and 日本語のテキストはスペースがない")]
    [DataRow("𝒜𝒝𝒞𝒟𝒠𝒡𝒢𝒣𝒤𝒥 surrogates everywhere")]
    public void Pieces_concatenate_exactly_and_never_split_a_text_element(string text)
    {
        var pieces = TextTokenizer.Split(text);

        Assert.AreEqual(text, string.Concat(pieces));
        foreach (var piece in pieces)
        {
            Assert.IsGreaterThan(0, piece.Length);
            Assert.IsFalse(char.IsLowSurrogate(piece[0]), $"piece starts inside a surrogate pair: {piece}");
            Assert.IsFalse(char.IsHighSurrogate(piece[^1]), $"piece ends inside a surrogate pair: {piece}");
            var elements = new StringInfo(piece).LengthInTextElements;
            Assert.IsTrue(piece.Length <= TextTokenizer.MaxPieceLength || elements == 1, $"piece too long: {piece}");
        }

        // The cut points are text element boundaries of the whole text.
        var boundaries = new HashSet<int>(StringInfo.ParseCombiningCharacters(text)) { text.Length };
        var offset = 0;
        foreach (var piece in pieces)
        {
            offset += piece.Length;
            Assert.Contains(offset, boundaries);
        }
    }
}
