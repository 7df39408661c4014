using System.Buffers;
using System.Text;
using System.Text.Encodings.Web;

namespace LettaSockets.Simulator.Wire;

/// <summary>
/// Escapes only what JSON itself requires (quote, backslash, control characters), the way
/// pydantic's <c>model_dump_json</c> does: non-ASCII text and emoji stay raw UTF-8, and the
/// <c>+</c> of <c>+00:00</c> dates stays a plus (the default encoders would write <c>\u002B</c>).
/// </summary>
internal sealed class LettaJsonEncoder : JavaScriptEncoder
{
    public static readonly LettaJsonEncoder Instance = new();

    private static readonly SearchValues<char> s_chars = SearchValues.Create(CharsToEscape());
    private static readonly SearchValues<byte> s_bytes = SearchValues.Create(BytesToEscape());

    private LettaJsonEncoder()
    {
    }

    public override int MaxOutputCharactersPerInputCharacter => 6;

    public override bool WillEncode(int unicodeScalar) =>
        unicodeScalar < 0x20 || unicodeScalar == '"' || unicodeScalar == '\\';

    public override unsafe int FindFirstCharacterToEncode(char* text, int textLength) =>
        new ReadOnlySpan<char>(text, textLength).IndexOfAny(s_chars);

    public override int FindFirstCharacterToEncodeUtf8(ReadOnlySpan<byte> utf8Text) =>
        utf8Text.IndexOfAny(s_bytes);

    public override unsafe bool TryEncodeUnicodeScalar(
        int unicodeScalar, char* buffer, int bufferLength, out int numberOfCharactersWritten)
    {
        var destination = new Span<char>(buffer, bufferLength);
        if (!WillEncode(unicodeScalar))
        {
            return new Rune(unicodeScalar).TryEncodeToUtf16(destination, out numberOfCharactersWritten);
        }

        ReadOnlySpan<char> escaped = unicodeScalar switch
        {
            '"' => "\\\"",
            '\\' => "\\\\",
            '\n' => "\\n",
            '\r' => "\\r",
            '\t' => "\\t",
            '\b' => "\\b",
            '\f' => "\\f",
            _ => default,
        };
        if (escaped.IsEmpty)
        {
            // Other control characters: \u00XX with lowercase hex, as serde/pydantic write them.
            Span<char> unicode = ['\\', 'u', '0', '0', HexDigit(unicodeScalar >> 4), HexDigit(unicodeScalar)];
            return Copy(unicode, destination, out numberOfCharactersWritten);
        }

        return Copy(escaped, destination, out numberOfCharactersWritten);
    }

    private static bool Copy(ReadOnlySpan<char> source, Span<char> destination, out int written)
    {
        if (!source.TryCopyTo(destination))
        {
            written = 0;
            return false;
        }

        written = source.Length;
        return true;
    }

    private static char HexDigit(int value) => "0123456789abcdef"[value & 0xF];

    private static char[] CharsToEscape()
    {
        var chars = new List<char> { '"', '\\' };
        for (var c = 0; c < 0x20; c++)
        {
            chars.Add((char)c);
        }

        return [.. chars];
    }

    private static byte[] BytesToEscape() => [.. CharsToEscape().Select(c => (byte)c)];
}
