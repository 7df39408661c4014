using System.Text.Json;
using LettaSockets.Simulator.Http;

namespace LettaSockets.Simulator.Faults;

/// <summary>
/// The JSON form of a <see cref="SimFault"/> for <c>POST /_sim/faults</c>: snake_case names, kinds like
/// <c>http_error</c> or <c>HttpError</c>, durations as <c>delay_ms</c>.
/// </summary>
internal static class FaultJson
{
    public static SimFault Parse(byte[] body)
    {
        var request = JsonSerializer.Deserialize(body, ControlJsonContext.Default.FaultRequest)
            ?? throw new JsonException("The body must be a JSON object.");
        var kind = ParseEnum<FaultKind>(request.Kind ?? throw new JsonException("'kind' is required."));
        var fault = new SimFault(kind)
        {
            Target = request.Target is null ? FaultTarget.Messages : ParseEnum<FaultTarget>(request.Target),
            AgentId = request.AgentId,
            Times = request.Times ?? 1,
            StatusCode = request.StatusCode ?? (kind == FaultKind.HtmlError ? 502 : 500),
            Body = request.Body,
            RetryAfterSeconds = request.RetryAfterSeconds,
            AfterEvents = request.AfterEvents ?? 1,
            Delay = TimeSpan.FromMilliseconds(request.DelayMs ?? 0),
            Size = request.Size ?? SimFault.DefaultHugeSize,
            Message = request.Message,
        };
        if (fault.Times < 1)
        {
            throw new JsonException("'times' must be at least 1.");
        }

        return fault;
    }

    public static FaultDescription Describe(SimFault fault) => new(
        fault.Kind,
        fault.Target,
        fault.AgentId,
        fault.Times,
        fault.StatusCode,
        fault.Body,
        fault.RetryAfterSeconds,
        fault.AfterEvents,
        fault.Delay.TotalMilliseconds,
        fault.Size,
        fault.Message);

    private static T ParseEnum<T>(string value)
        where T : struct, Enum =>
        Enum.TryParse<T>(value.Replace("_", "", StringComparison.Ordinal), ignoreCase: true, out var parsed)
            ? parsed
            : throw new JsonException($"Unknown {typeof(T).Name} '{value}'. Known: {string.Join(", ", Enum.GetNames<T>())}.");

    internal sealed class FaultRequest
    {
        public string? Kind { get; set; }

        public string? Target { get; set; }

        public string? AgentId { get; set; }

        public int? Times { get; set; }

        public int? StatusCode { get; set; }

        public string? Body { get; set; }

        public int? RetryAfterSeconds { get; set; }

        public int? AfterEvents { get; set; }

        public double? DelayMs { get; set; }

        public int? Size { get; set; }

        public string? Message { get; set; }
    }
}
