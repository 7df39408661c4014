using System.Text.Json;
using LettaSockets.Simulator.Wire;
using Microsoft.AspNetCore.Http;

namespace LettaSockets.Simulator.Http;

/// <summary>
/// <c>POST /v1/agents/{agent_id}/messages/cancel</c> (Letta's cancellation): marks runs cancelled at once and answers
/// <c>{"run-…":"cancelled"}</c>; the running stream notices on its next poll.
/// </summary>
internal sealed partial class CancelEndpoints(LettaSimulator simulator)
{
    public async Task CancelAsync(HttpContext context)
    {
        var time = simulator.TimeProvider;
        var agentId = (string)context.Request.RouteValues["agent_id"]!;
        var record = new CancelRecord { AgentId = agentId, ReceivedAt = time.GetUtcNow(), Timestamp = time.GetTimestamp() };
        if (!LettaIds.IsAgentId(agentId))
        {
            await AnswerAsync(context, record, ApiError.InvalidPathId("agent_id", agentId, LettaIds.AgentIdRegex)).ConfigureAwait(false);
            return;
        }

        if (!simulator.Agents.TryGet(agentId, out _))
        {
            await AnswerAsync(context, record, ApiError.AgentNotFound(agentId)).ConfigureAwait(false);
            return;
        }

        var body = await HttpWrite.ReadBodyAsync(context).ConfigureAwait(false);
        if (!TryReadRunIds(body, out var runIds, out var invalid))
        {
            await AnswerAsync(context, record, invalid).ConfigureAwait(false);
            return;
        }

        record = record with { RunIds = runIds };
        if (simulator.Faults.TryTake(FaultTarget.Cancel, agentId, f => f.IsPreStream) is { } fault)
        {
            record = record with { Fault = fault };
            if (PreStreamFaults.AnswerStatus(fault) is { } status)
            {
                simulator.Journal.Add(record with { StatusCode = status });
            }

            if (await PreStreamFaults.ApplyAsync(context, fault, agentId, time).ConfigureAwait(false))
            {
                return;
            }
        }

        // Letta's cancellation: no run_ids (or an empty list) means the agent's most recent active run.
        IReadOnlyList<string> targets = runIds is { Count: > 0 }
            ? runIds
            : simulator.Runs.MostRecentActive(agentId) is { } latest ? [latest.Id] : [];
        if (targets.Count == 0)
        {
            await AnswerAsync(context, record, ApiError.NoActiveRuns(agentId)).ConfigureAwait(false);
            return;
        }

        await CancelRunsAsync(context, record, targets).ConfigureAwait(false);
    }

    /// <summary>Marks <paramref name="targets"/> cancelled, journals the call and answers <c>{"run-…":"cancelled"}</c>.</summary>
    private async Task CancelRunsAsync(HttpContext context, CancelRecord record, IReadOnlyList<string> targets)
    {
        var now = simulator.TimeProvider.GetUtcNow();
        var results = new List<(string RunId, string Result)>();
        foreach (var runId in targets)
        {
            // Already-finished runs are a silent no-op that is still reported "cancelled".
            var known = simulator.Runs.TryGet(runId, out var run);
            run?.RequestCancel(now);
            results.Add((runId, known ? "cancelled" : "failed"));
        }

        simulator.Journal.Add(record with { TargetRunIds = targets, StatusCode = StatusCodes.Status200OK });
        await HttpWrite.JsonAsync(context, StatusCodes.Status200OK, JsonText.Object(w =>
        {
            foreach (var (runId, result) in results)
            {
                w.WriteString(runId, result);
            }
        })).ConfigureAwait(false);
    }

    private async Task AnswerAsync(HttpContext context, CancelRecord record, ApiError error)
    {
        simulator.Journal.Add(record with { StatusCode = error.StatusCode });
        await HttpWrite.ErrorAsync(context, error).ConfigureAwait(false);
    }

    private static bool TryReadRunIds(byte[] body, out IReadOnlyList<string>? runIds, out ApiError error)
    {
        runIds = null;
        error = default;
        if (body.Length == 0)
        {
            return true;
        }

        try
        {
            using var document = JsonDocument.Parse(body);
            var root = document.RootElement;
            if (root.ValueKind == JsonValueKind.Null)
            {
                return true;
            }

            if (root.ValueKind != JsonValueKind.Object)
            {
                error = ApiError.Validation([new ValidationError("model_attributes_type", ["body"],
                    "Input should be a valid dictionary or object to extract fields from", PyRepr.Of(root))]);
                return false;
            }

            if (!root.TryGetProperty("run_ids", out var ids) || ids.ValueKind == JsonValueKind.Null)
            {
                return true;
            }

            if (ids.ValueKind != JsonValueKind.Array || ids.EnumerateArray().Any(id => id.ValueKind != JsonValueKind.String))
            {
                error = ApiError.Validation([new ValidationError("list_type", ["body", "run_ids"],
                    "Input should be a valid list of strings", PyRepr.Of(ids))]);
                return false;
            }

            runIds = [.. ids.EnumerateArray().Select(id => id.GetString()!)];
            return true;
        }
        catch (JsonException exception)
        {
            error = ApiError.Validation([new ValidationError("json_invalid", ["body", 0], "JSON decode error", "{}",
                $"{{'error': {PyRepr.Str(exception.Message)}}}")]);
            return false;
        }
    }
}
