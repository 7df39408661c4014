using System.Text.Json;
using System.Text.Json.Serialization;
using LettaSockets.Simulator.Faults;

namespace LettaSockets.Simulator.Http;

/// <summary>A fault as <c>/_sim/faults</c> shows it: snake_case names, kinds like <c>http_error</c>.</summary>
internal sealed record FaultDescription(
    FaultKind Kind,
    FaultTarget Target,
    string? AgentId,
    int Times,
    int StatusCode,
    string? Body,
    int? RetryAfterSeconds,
    int AfterEvents,
    double DelayMs,
    int Size,
    string? Message);

/// <summary>What <c>GET /_sim/journal</c> returns.</summary>
internal sealed record JournalSnapshot(
    IReadOnlyList<MessageRequestRecord> Messages,
    IReadOnlyList<CancelRecord> Cancels,
    int ActiveRuns,
    Dictionary<string, int> MaxConcurrentRunsPerAgent);

/// <summary>Enum values as snake_case strings (<c>HttpError</c> → <c>http_error</c>), fixed at compile time.</summary>
internal sealed class SnakeCaseEnumConverter<TEnum>() : JsonStringEnumConverter<TEnum>(JsonNamingPolicy.SnakeCaseLower)
    where TEnum : struct, Enum;

/// <summary>
/// The control routes' JSON, source-generated so the simulator (embedded in the gateway) needs no
/// reflection: the gateway publishes as Native AOT.
/// </summary>
[JsonSourceGenerationOptions(
    PropertyNamingPolicy = JsonKnownNamingPolicy.SnakeCaseLower,
    Converters = [typeof(SnakeCaseEnumConverter<FaultKind>), typeof(SnakeCaseEnumConverter<FaultTarget>)])]
[JsonSerializable(typeof(FaultJson.FaultRequest))]
[JsonSerializable(typeof(FaultDescription))]
[JsonSerializable(typeof(List<FaultDescription>))]
[JsonSerializable(typeof(JournalSnapshot))]
internal sealed partial class ControlJsonContext : JsonSerializerContext;
