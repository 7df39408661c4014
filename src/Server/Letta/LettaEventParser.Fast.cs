using System.Buffers;
using System.Buffers.Text;
using System.Text;
using System.Text.Unicode;
using LettaSockets.Server.Upstream;

namespace LettaSockets.Server.Letta;

/// <summary>
/// The fast path for the events that make up nearly all of a stream: one flat object of strings, numbers
/// and literals, with no escapes (an assistant or reasoning delta, a ping, a stop reason, usage). It reads
/// the bytes in one forward pass, finding each string's end with a vectorised search, where
/// <see cref="System.Text.Json.Utf8JsonReader"/> tokenises and validates every value; parsing was about a
/// third of the gateway's CPU per delta. It gives up on anything else — a nested object or array, an
/// escape, a control character, a malformed number or literal, invalid UTF-8 in a value it keeps,
/// anything unexpected — and the reader then parses the event from the start, so every event it does
/// not accept is handled exactly as before. What it accepts it must read exactly as the reader would:
/// <c>LettaEventParserFastPathTests</c> checks that on generated events, field by field.
/// </summary>
public sealed partial class LettaEventParser
{
    /// <summary>Where a string ends or must be handed to the reader: its quote, an escape, a control character.</summary>
    private static readonly SearchValues<byte> StringStops = SearchValues.Create(
        [(byte)'"', (byte)'\\', 0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15, 16, 17, 18, 19, 20, 21, 22, 23, 24, 25, 26, 27, 28, 29, 30, 31]);

    /// <summary>Test hook: false sends every event through the reader.</summary>
    internal bool FastPath { get; init; } = true;

    private enum ValueKind
    {
        String,
        Number,
        Literal,
    }

    private bool TryParseFlat(ReadOnlySpan<byte> data, ref EventFields f)
    {
        int i = SkipWhitespace(data, 0);
        if (i >= data.Length || data[i] != (byte)'{')
        {
            return false;
        }

        i = SkipWhitespace(data, i + 1);
        if (i < data.Length && data[i] == (byte)'}')
        {
            return true;
        }

        while (true)
        {
            if (!TryReadString(data, ref i, out ReadOnlySpan<byte> name))
            {
                return false;
            }

            i = SkipWhitespace(data, i);
            if (i >= data.Length || data[i] != (byte)':')
            {
                return false;
            }

            i = SkipWhitespace(data, i + 1);
            if (i >= data.Length)
            {
                return false;
            }

            ReadOnlySpan<byte> value;
            ValueKind kind;
            byte first = data[i];
            if (first == (byte)'"')
            {
                if (!TryReadString(data, ref i, out value))
                {
                    return false;
                }

                kind = ValueKind.String;
            }
            else if (first == (byte)'-' || (first >= (byte)'0' && first <= (byte)'9'))
            {
                int end = NumberEnd(data, i);
                if (end < 0)
                {
                    return false;
                }

                value = data[i..end];
                kind = ValueKind.Number;
                i = end;
            }
            else if (TryLiteral(data, i, out int length))
            {
                value = data.Slice(i, length);
                kind = ValueKind.Literal;
                i += length;
            }
            else
            {
                return false; // an object, an array, or not JSON: the reader decides
            }

            if (!Assign(name, kind, value, ref f))
            {
                return false;
            }

            i = SkipWhitespace(data, i);
            if (i >= data.Length)
            {
                return false;
            }

            if (data[i] == (byte)'}')
            {
                return true; // like the reader's loop, nothing after the object is read
            }

            if (data[i] != (byte)',')
            {
                return false;
            }

            i = SkipWhitespace(data, i + 1);
        }
    }

    /// <summary>What <see cref="ReadProperty"/> does with a scalar: the same field, the same value.</summary>
    private bool Assign(ReadOnlySpan<byte> name, ValueKind kind, ReadOnlySpan<byte> value, ref EventFields f)
    {
        bool isString = kind == ValueKind.String;
        Field field = FieldOf(name);
        switch (field)
        {
            case Field.MessageType: f.HasMessageType = true; f.Kind = isString ? KindOf(value) : LettaEventKind.Other; break;
            case Field.SeqId: f.Seq = Long(kind, value) ?? -1; break;
            case Field.ToolCalls or Field.ToolCall: break; // a scalar is skipped
            case Field.Stdout: f.Stdout = null; break;
            case Field.Stderr: f.Stderr = null; break;
            case Field.Error: return !isString || TryString(null, true, value, out f.LegacyError);
            case >= Field.PromptTokens: CountOf(ref f, field) = Long(kind, value); break;
            case Field.Other: break;
            default: return TryString(CacheOf(field), isString, value, out StringOf(ref f, field)); // every other field is a string
        }

        return true;
    }

    private static LettaEventKind KindOf(ReadOnlySpan<byte> v)
    {
        if (v.SequenceEqual("assistant_message"u8)) return LettaEventKind.Assistant;
        if (v.SequenceEqual("reasoning_message"u8)) return LettaEventKind.Reasoning;
        if (v.SequenceEqual("tool_call_message"u8)) return LettaEventKind.ToolCall;
        if (v.SequenceEqual("ping"u8)) return LettaEventKind.Ping;
        if (v.SequenceEqual("tool_return_message"u8)) return LettaEventKind.ToolReturn;
        if (v.SequenceEqual("hidden_reasoning_message"u8)) return LettaEventKind.HiddenReasoning;
        if (v.SequenceEqual("approval_request_message"u8)) return LettaEventKind.ApprovalRequest;
        if (v.SequenceEqual("stop_reason"u8)) return LettaEventKind.StopReason;
        if (v.SequenceEqual("usage_statistics"u8)) return LettaEventKind.Usage;
        if (v.SequenceEqual("error_message"u8)) return LettaEventKind.Error;
        return LettaEventKind.Other;
    }

    /// <summary>A string value, through <paramref name="cache"/> where the field has one (not a string: null, as the
    /// reader path gives); false where the bytes are not UTF-8, for the reader to decide.</summary>
    private static bool TryString(Utf8StringCache? cache, bool isString, ReadOnlySpan<byte> value, out string? result)
    {
        result = null;
        if (!isString)
        {
            return true;
        }

        if (cache is not null && cache.TryReuse(value, out result))
        {
            return true; // the same bytes as last time, validated then
        }

        if (!Utf8.IsValid(value))
        {
            return false;
        }

        result = cache is null ? Encoding.UTF8.GetString(value) : cache.Read(value);
        return true;
    }

    private static long? Long(ValueKind kind, ReadOnlySpan<byte> value) =>
        kind == ValueKind.Number && Utf8Parser.TryParse(value, out long v, out int used) && used == value.Length ? v : null;

    /// <summary>A string without escapes or control characters, from its opening quote; <paramref name="i"/> ends after the closing one.</summary>
    private static bool TryReadString(ReadOnlySpan<byte> data, scoped ref int i, out ReadOnlySpan<byte> value)
    {
        value = default;
        if (i >= data.Length || data[i] != (byte)'"')
        {
            return false;
        }

        int length = data[(i + 1)..].IndexOfAny(StringStops);
        if (length < 0 || data[i + 1 + length] != (byte)'"')
        {
            return false;
        }

        value = data.Slice(i + 1, length);
        i += length + 2;
        return true;
    }

    /// <summary>The end of a number in JSON's grammar (<c>-?(0|[1-9]d*)(.d+)?([eE][+-]?d+)?</c>), or -1.</summary>
    private static int NumberEnd(ReadOnlySpan<byte> data, int i)
    {
        if (data[i] == (byte)'-' && ++i >= data.Length)
        {
            return -1;
        }

        if (data[i] == (byte)'0')
        {
            i++;
        }
        else if (!TryDigits(data, ref i))
        {
            return -1;
        }

        if (i < data.Length && data[i] == (byte)'.')
        {
            i++;
            if (!TryDigits(data, ref i))
            {
                return -1;
            }
        }

        if (i < data.Length && (data[i] == (byte)'e' || data[i] == (byte)'E'))
        {
            i++;
            if (i < data.Length && (data[i] == (byte)'+' || data[i] == (byte)'-'))
            {
                i++;
            }

            if (!TryDigits(data, ref i))
            {
                return -1;
            }
        }

        return i;
    }

    private static bool TryDigits(ReadOnlySpan<byte> data, ref int i)
    {
        int start = i;
        while (i < data.Length && data[i] >= (byte)'0' && data[i] <= (byte)'9')
        {
            i++;
        }

        return i > start;
    }

    private static bool TryLiteral(ReadOnlySpan<byte> data, int i, out int length)
    {
        ReadOnlySpan<byte> rest = data[i..];
        length = rest.StartsWith("null"u8) || rest.StartsWith("true"u8) ? 4 : rest.StartsWith("false"u8) ? 5 : 0;
        return length > 0;
    }

    [System.Runtime.CompilerServices.MethodImpl(System.Runtime.CompilerServices.MethodImplOptions.AggressiveInlining)]
    private static int SkipWhitespace(ReadOnlySpan<byte> data, int i) =>
        i < data.Length && data[i] > (byte)' ' ? i : SkipSomeWhitespace(data, i); // compact JSON has none

    private static int SkipSomeWhitespace(ReadOnlySpan<byte> data, int i)
    {
        while (i < data.Length && data[i] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r')
        {
            i++;
        }

        return i;
    }
}
