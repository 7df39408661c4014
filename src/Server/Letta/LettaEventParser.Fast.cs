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
        if (name.SequenceEqual("message_type"u8)) { f.HasMessageType = true; f.Kind = isString ? KindOf(value) : LettaEventKind.Other; }
        else if (name.SequenceEqual("run_id"u8)) { return TryCached(_runIds, isString, value, out f.RunId); }
        else if (name.SequenceEqual("otid"u8)) { return TryCached(_otids, isString, value, out f.Otid); }
        else if (name.SequenceEqual("id"u8)) { return TryCached(_ids, isString, value, out f.Id); }
        else if (name.SequenceEqual("seq_id"u8)) { f.Seq = kind == ValueKind.Number && Utf8Parser.TryParse(value, out long s, out int used) && used == value.Length ? s : -1; }
        else if (name.SequenceEqual("content"u8) || name.SequenceEqual("reasoning"u8) || name.SequenceEqual("hidden_reasoning"u8)) { return TryString(isString, value, out f.Text); }
        else if (name.SequenceEqual("tool_calls"u8) || name.SequenceEqual("tool_call"u8)) { /* a scalar is skipped */ }
        else if (name.SequenceEqual("tool_return"u8)) { return TryString(isString, value, out f.ToolReturn); }
        else if (name.SequenceEqual("status"u8)) { return TryString(isString, value, out f.Status); }
        else if (name.SequenceEqual("tool_call_id"u8)) { return TryCached(_toolCallIds, isString, value, out f.ToolCallId); }
        else if (name.SequenceEqual("name"u8)) { return TryCached(_names, isString, value, out f.Name); }
        else if (name.SequenceEqual("stdout"u8)) { f.Stdout = null; }
        else if (name.SequenceEqual("stderr"u8)) { f.Stderr = null; }
        else if (name.SequenceEqual("stop_reason"u8)) { return TryString(isString, value, out f.StopReason); }
        else if (name.SequenceEqual("error_type"u8)) { return TryString(isString, value, out f.ErrorType); }
        else if (name.SequenceEqual("message"u8)) { return TryString(isString, value, out f.ErrorMessage); }
        else if (name.SequenceEqual("detail"u8)) { return TryString(isString, value, out f.ErrorDetail); }
        else if (name.SequenceEqual("code"u8)) { return TryString(isString, value, out f.Code); }
        else if (name.SequenceEqual("error"u8)) { return !isString || TryString(true, value, out f.LegacyError); }
        else if (name.SequenceEqual("prompt_tokens"u8)) { f.PromptTokens = Long(kind, value); }
        else if (name.SequenceEqual("completion_tokens"u8)) { f.CompletionTokens = Long(kind, value); }
        else if (name.SequenceEqual("total_tokens"u8)) { f.TotalTokens = Long(kind, value); }
        else if (name.SequenceEqual("step_count"u8)) { f.StepCount = Long(kind, value); }
        else if (name.SequenceEqual("cached_input_tokens"u8)) { f.CachedInputTokens = Long(kind, value); }
        else if (name.SequenceEqual("cache_write_tokens"u8)) { f.CacheWriteTokens = Long(kind, value); }
        else if (name.SequenceEqual("reasoning_tokens"u8)) { f.ReasoningTokens = Long(kind, value); }
        else if (name.SequenceEqual("context_tokens"u8)) { f.ContextTokens = Long(kind, value); }

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

    /// <summary>A string value (not a string: null, as the reader path gives); false where the bytes are not UTF-8.</summary>
    private static bool TryString(bool isString, ReadOnlySpan<byte> value, out string? result)
    {
        result = null;
        if (!isString)
        {
            return true;
        }

        if (!Utf8.IsValid(value))
        {
            return false;
        }

        result = Encoding.UTF8.GetString(value);
        return true;
    }

    private static bool TryCached(Utf8StringCache cache, bool isString, ReadOnlySpan<byte> value, out string? result)
    {
        result = null;
        if (!isString)
        {
            return true;
        }

        if (!Utf8.IsValid(value))
        {
            return false;
        }

        result = cache.Read(value);
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

    private static int SkipWhitespace(ReadOnlySpan<byte> data, int i)
    {
        while (i < data.Length && data[i] is (byte)' ' or (byte)'\t' or (byte)'\n' or (byte)'\r')
        {
            i++;
        }

        return i;
    }
}
