using System.Text;
using System.Text.Json;
using LettaSockets.Server.Upstream;

namespace LettaSockets.Server.Letta;

/// <summary>
/// Remembers the last string read for one field (run id, otid, …). Consecutive Letta events repeat
/// these values, so the hot path re-uses one string instead of allocating one per event.
/// </summary>
internal sealed class Utf8StringCache
{
    private byte[] _bytes = [];
    private string? _value;

    public string? Read(ref Utf8JsonReader reader)
    {
        if (reader.TokenType == JsonTokenType.Null)
        {
            return null;
        }

        if (reader.TokenType != JsonTokenType.String)
        {
            reader.Skip();
            return null;
        }

        return !reader.ValueIsEscaped && !reader.HasValueSequence ? Read(reader.ValueSpan) : reader.GetString();
    }

    /// <summary>The string last read, when <paramref name="raw"/> holds the same bytes.</summary>
    public bool TryReuse(ReadOnlySpan<byte> raw, out string? value)
    {
        value = _value;
        return value is not null && raw.SequenceEqual(_bytes);
    }

    /// <summary>An unescaped, valid UTF-8 string value.</summary>
    public string Read(ReadOnlySpan<byte> raw)
    {
        if (_value is not null && raw.SequenceEqual(_bytes))
        {
            return _value;
        }

        _bytes = raw.ToArray();
        _value = Encoding.UTF8.GetString(raw);
        return _value;
    }
}
