using System.Globalization;
using System.Text;
using System.Text.Json;

namespace LettaSockets.Simulator.Http;

/// <summary>
/// Python <c>repr()</c> of simple values: Letta's 422 handler puts <c>str(exc.errors())</c> into
/// <c>detail</c>, so the validation errors arrive as a Python-literal string (Letta's errors).
/// </summary>
internal static class PyRepr
{
    public static string Str(string value)
    {
        var quote = value.Contains('\'') && !value.Contains('"') ? '"' : '\'';
        var builder = new StringBuilder().Append(quote);
        foreach (var c in value)
        {
            switch (c)
            {
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                default:
                    if (c == quote)
                    {
                        builder.Append('\\').Append(c);
                    }
                    else if (c < 0x20)
                    {
                        builder.Append("\\x").Append(((int)c).ToString("x2", CultureInfo.InvariantCulture));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        return builder.Append(quote).ToString();
    }

    /// <summary>A tuple such as <c>('body', 'messages', 0)</c>; one element keeps its trailing comma.</summary>
    public static string Tuple(IReadOnlyList<object> items)
    {
        var parts = items.Select(item => item is string text ? Str(text) : Convert.ToString(item, CultureInfo.InvariantCulture));
        return items.Count == 1 ? $"({parts.First()},)" : $"({string.Join(", ", parts)})";
    }

    public static string Of(JsonElement element) => element.ValueKind switch
    {
        JsonValueKind.Object => "{" + string.Join(", ", element.EnumerateObject().Select(p => $"{Str(p.Name)}: {Of(p.Value)}")) + "}",
        JsonValueKind.Array => "[" + string.Join(", ", element.EnumerateArray().Select(Of)) + "]",
        JsonValueKind.String => Str(element.GetString()!),
        JsonValueKind.True => "True",
        JsonValueKind.False => "False",
        JsonValueKind.Null or JsonValueKind.Undefined => "None",
        _ => element.GetRawText(),
    };
}
