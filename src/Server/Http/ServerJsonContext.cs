using System.Text.Json.Serialization;
using LettaSockets.Server.Upstream;

namespace LettaSockets.Server;

/// <summary>Source-generated JSON for the gateway's own HTTP answers.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(IReadOnlyList<AgentSummary>))]
internal sealed partial class ServerJsonContext : JsonSerializerContext;
