using System.Text;
using System.Text.Json;

namespace LettaSockets.Simulator.Wire;

/// <summary>Builds compact JSON text with Letta's escaping (non-ASCII raw).</summary>
internal static class JsonText
{
    private static readonly JsonWriterOptions s_options = new() { Encoder = LettaJsonEncoder.Instance };

    public static string Build(Action<Utf8JsonWriter> write)
    {
        using var stream = new MemoryStream();
        using (var writer = new Utf8JsonWriter(stream, s_options))
        {
            write(writer);
        }

        return Encoding.UTF8.GetString(stream.ToArray());
    }

    public static string Object(Action<Utf8JsonWriter> writeProperties) => Build(writer =>
    {
        writer.WriteStartObject();
        writeProperties(writer);
        writer.WriteEndObject();
    });
}
