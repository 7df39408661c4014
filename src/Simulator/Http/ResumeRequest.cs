using System.Text.Json;

namespace LettaSockets.Simulator.Http;

/// <summary>
/// The body of a re-attach (Letta's background runs, <c>RetrieveStreamRequest</c>): <c>starting_after</c> (default 0) and
/// <c>include_pings</c> (default true), plus for the conversation route <c>run_id</c>, <c>otid</c> and <c>agent_id</c>.
/// </summary>
internal sealed record ResumeRequest(long StartingAfter, bool IncludePings)
{
    /// <summary>What an absent body means on the conversation route (Letta's <c>Body(None)</c>): no pings.</summary>
    public static readonly ResumeRequest Absent = new(0, IncludePings: false);

    public string? RunId { get; init; }

    public string? Otid { get; init; }

    public string? AgentId { get; init; }

    /// <summary>
    /// Parses <paramref name="body"/>. An empty body is <see cref="Absent"/> when <paramref name="optional"/>, else
    /// a 500: the run route dereferences the body without a null check (Letta's background runs), so clients must send <c>{}</c>.
    /// </summary>
    public static bool TryParse(byte[] body, bool optional, out ResumeRequest request, out ApiError error)
    {
        request = Absent;
        error = ApiError.Unknown();
        if (body.Length == 0)
        {
            return optional;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Null && optional)
            {
                return true;
            }

            if (root.ValueKind != JsonValueKind.Object)
            {
                return false;
            }

            var errors = new List<ValidationError>();
            long startingAfter = 0;
            if (root.TryGetProperty("starting_after", out var after) && after.ValueKind != JsonValueKind.Null && !after.TryGetInt64(out startingAfter))
            {
                errors.Add(new ValidationError("int_type", ["body", "starting_after"], "Input should be a valid integer", PyRepr.Of(after)));
            }

            var includePings = !root.TryGetProperty("include_pings", out var pings) || pings.ValueKind is not JsonValueKind.False;
            request = new ResumeRequest(startingAfter, includePings)
            {
                RunId = MessageRequestParser.ReadString(root, "run_id", errors),
                Otid = MessageRequestParser.ReadString(root, "otid", errors),
                AgentId = MessageRequestParser.ReadString(root, "agent_id", errors),
            };
            if (errors.Count > 0)
            {
                error = ApiError.Validation(errors);
                return false;
            }

            return true;
        }
        catch (JsonException)
        {
            error = ApiError.Validation([new ValidationError("json_invalid", ["body", 0], "JSON decode error", "{}")]);
            return false;
        }
    }
}
