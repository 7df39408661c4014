using System.Text.Json.Serialization;

namespace LettaSockets.Protocol.Json;

/// <summary>Source-generated, snake_case JSON metadata for the protocol's reader-side types.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower, DefaultIgnoreCondition = JsonIgnoreCondition.WhenWritingNull)]
[JsonSerializable(typeof(ServerFrame))]
public sealed partial class ProtocolJsonContext : JsonSerializerContext;
