using System.Text;

namespace LettaSockets.Simulator.Wire;

/// <summary>
/// Python <c>json.dumps</c> formatting (<c>", "</c> and <c>": "</c> separators, ASCII-only escapes), used for
/// the few payloads Letta builds by hand instead of through pydantic (Letta's SSE framing, Letta's event payloads, older Letta versions).
/// </summary>
internal static class PyJson
{
    public static string Dumps(params (string Key, object? Value)[] pairs)
    {
        var builder = new StringBuilder("{");
        for (var i = 0; i < pairs.Length; i++)
        {
            if (i > 0)
            {
                builder.Append(", ");
            }

            AppendString(builder, pairs[i].Key);
            builder.Append(": ");
            switch (pairs[i].Value)
            {
                case null:
                    builder.Append("null");
                    break;
                case string text:
                    AppendString(builder, text);
                    break;
                case RawJson raw:
                    builder.Append(raw.Json);
                    break;
                default:
                    throw new ArgumentException($"Unsupported value type {pairs[i].Value!.GetType()}.");
            }
        }

        return builder.Append('}').ToString();
    }

    public static void AppendString(StringBuilder builder, string text)
    {
        builder.Append('"');
        foreach (var c in text)
        {
            switch (c)
            {
                case '"': builder.Append("\\\""); break;
                case '\\': builder.Append("\\\\"); break;
                case '\n': builder.Append("\\n"); break;
                case '\r': builder.Append("\\r"); break;
                case '\t': builder.Append("\\t"); break;
                case '\b': builder.Append("\\b"); break;
                case '\f': builder.Append("\\f"); break;
                default:
                    if (c < 0x20 || c > 0x7E)
                    {
                        builder.Append("\\u").Append(((int)c).ToString("x4"));
                    }
                    else
                    {
                        builder.Append(c);
                    }

                    break;
            }
        }

        builder.Append('"');
    }

    /// <summary>An already formatted JSON value to nest inside <see cref="Dumps"/>.</summary>
    public sealed record RawJson(string Json);
}
