using System.Text;
using System.Text.Json;
using LettaSockets.Protocol.Frames;

namespace LettaSockets.Protocol.Parsing;

/// <summary>
/// Parses one client text frame (docs/PROTOCOL.md, "Sending"), leniently: a JSON object with a <c>type</c>, the
/// seed's <c>{"message":"…"}</c>, or any text that does not start with <c>{</c> (the whole text is
/// the message content). Unknown fields are ignored; wrong types and missing required fields are
/// reported with the field's name, never with a .NET exception text.
/// </summary>
public static class ClientFrameParser
{
    /// <summary>Longest request id a client may choose.</summary>
    public const int MaxIdLength = 128;

    /// <summary>Nesting deeper than this is rejected before it can cost anything.</summary>
    public const int MaxDepth = 16;

    private static readonly JsonReaderOptions ReaderOptions = new()
    {
        MaxDepth = MaxDepth,
        CommentHandling = JsonCommentHandling.Disallow,
        AllowTrailingCommas = false,
    };

    public static ClientFrameParseResult Parse(ReadOnlySpan<byte> utf8)
    {
        int start = 0;
        while (start < utf8.Length && IsJsonWhitespace(utf8[start]))
        {
            start++;
        }

        if (start < utf8.Length && utf8[start] == (byte)'{')
        {
            return ParseObject(utf8);
        }

        return ParsePlainText(utf8);
    }

    private static ClientFrameParseResult ParsePlainText(ReadOnlySpan<byte> utf8)
    {
        string text;
        try
        {
            text = Encoding.UTF8.GetString(utf8);
        }
        catch (DecoderFallbackException)
        {
            return ClientFrameParseResult.Fail(ErrorCodes.BadFrame, "The frame is not valid UTF-8.");
        }

        if (string.IsNullOrWhiteSpace(text))
        {
            return ClientFrameParseResult.Fail(ErrorCodes.BadFrame, "The frame is empty: send a message text or a JSON frame.");
        }

        return ClientFrameParseResult.Ok(new ClientFrame { Type = ClientFrameType.Message, Content = text, IsShorthand = true });
    }

    private static ClientFrameParseResult ParseObject(ReadOnlySpan<byte> utf8)
    {
        var fields = new FrameFields();
        try
        {
            var reader = new Utf8JsonReader(utf8, ReaderOptions);
            reader.Read(); // StartObject, guaranteed by the caller's check
            while (reader.Read() && reader.TokenType != JsonTokenType.EndObject)
            {
                string name = reader.GetString()!;
                reader.Read();
                fields.Read(name, ref reader);
            }

            // Anything after the object (a second object, garbage) makes the frame malformed.
            if (reader.Read())
            {
                return ClientFrameParseResult.Fail(ErrorCodes.BadFrame, "The frame holds more than one JSON value.");
            }
        }
        catch (JsonException)
        {
            return ClientFrameParseResult.Fail(ErrorCodes.BadFrame, "The frame starts with '{' but is not valid JSON (or is nested too deeply).");
        }
        catch (InvalidOperationException)
        {
            return ClientFrameParseResult.Fail(ErrorCodes.BadFrame, "The frame contains an invalid string.");
        }

        return fields.ToFrame();
    }

    private static bool IsJsonWhitespace(byte b) => b is (byte)' ' or (byte)'\t' or (byte)'\r' or (byte)'\n';
}
