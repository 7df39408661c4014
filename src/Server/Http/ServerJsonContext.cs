using System.Text.Json.Serialization;
using LettaSockets.Server.Upstream;

namespace LettaSockets.Server;

/// <summary>Source-generated JSON for the gateway's own HTTP answers.</summary>
[JsonSourceGenerationOptions(PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower)]
[JsonSerializable(typeof(IReadOnlyList<AgentSummary>))]
[JsonSerializable(typeof(IReadOnlyList<ConversationSummary>))]
[JsonSerializable(typeof(ConversationSummary))]
[JsonSerializable(typeof(NewConversation))]
internal sealed partial class ServerJsonContext : JsonSerializerContext;

/// <summary>The optional body of <c>POST /api/agents/{agentId}/conversations</c>.</summary>
internal sealed record NewConversation(string? Summary);
