using System.Text.Json;
using LettaSockets.Simulator.Runs;
using LettaSockets.Simulator.Wire;
using Microsoft.AspNetCore.Http;

namespace LettaSockets.Simulator.Http;

/// <summary><c>GET /v1/runs/{id}</c>, <c>GET /v1/runs/</c> and the background re-attach <c>POST /v1/runs/{id}/stream</c> (Letta's background runs).</summary>
internal sealed partial class RunEndpoints(LettaSimulator simulator, SseResponder responder, CancellationToken stopping)
{
    public async Task GetAsync(HttpContext context)
    {
        if (await FindAsync(context) is { } run)
        {
            await HttpWrite.JsonAsync(context, StatusCodes.Status200OK, JsonText.Build(w => RunJson.Write(w, run))).ConfigureAwait(false);
        }
    }

    /// <summary>Newest first; <c>agent_id</c>, <c>conversation_id</c>, <c>active</c>, <c>statuses</c>, <c>background</c>, <c>limit</c>, <c>order</c>, <c>after</c>, <c>before</c>.</summary>
    public Task ListAsync(HttpContext context) => ListAsync(context, activeOnly: false);

    /// <summary>The deprecated <c>GET /v1/runs/active</c>.</summary>
    public Task ListActiveAsync(HttpContext context) => ListAsync(context, activeOnly: true);

    public async Task StreamAsync(HttpContext context)
    {
        if (await FindAsync(context) is not { } run)
        {
            return;
        }

        if (!run.Background)
        {
            await HttpWrite.ErrorAsync(context, ApiError.NotBackground(run.Id)).ConfigureAwait(false);
            return;
        }

        if (simulator.TimeProvider.GetUtcNow() - run.CreatedAt > simulator.Options.RunRetention)
        {
            await HttpWrite.ErrorAsync(context, ApiError.Expired()).ConfigureAwait(false);
            return;
        }

        var body = await HttpWrite.ReadBodyAsync(context).ConfigureAwait(false);
        if (!ResumeRequest.TryParse(body, optional: false, out var resume, out var error))
        {
            await HttpWrite.ErrorAsync(context, error).ConfigureAwait(false);
            return;
        }

        await ReplayAsync(context, run, resume).ConfigureAwait(false);
    }

    /// <summary>Streams a background run's stored chunks after the cursor, then its live ones (Letta's background runs).</summary>
    private async Task ReplayAsync(HttpContext context, SimRun run, ResumeRequest resume)
    {
        var fault = simulator.Faults.TryTake(FaultTarget.RunStream, run.AgentId, f => f.IsPreStream || f.IsTransport);
        if (fault is { IsPreStream: true } && await PreStreamFaults.ApplyAsync(context, fault, run.Id, simulator.TimeProvider).ConfigureAwait(false))
        {
            return;
        }

        var source = new LogFrameSource(run.Log, (int)Math.Clamp(resume.StartingAfter, 0, int.MaxValue));
        var plan = new StreamPlan(run.Id, resume.IncludePings, fault is { IsTransport: true } ? fault : null);
        await responder.WriteAsync(context, source, plan, stopping).ConfigureAwait(false);
    }

    private async Task ListAsync(HttpContext context, bool activeOnly)
    {
        var query = context.Request.Query;
        var agentIds = query["agent_id"].Concat(query["agent_ids"]).OfType<string>().ToHashSet(StringComparer.Ordinal);
        var conversationId = query["conversation_id"].ToString();
        var statuses = query["statuses"].OfType<string>().ToHashSet(StringComparer.OrdinalIgnoreCase);
        activeOnly |= IsTrue(query["active"]);
        bool? background = query.TryGetValue("background", out var value) ? IsTrue(value) : null;
        var limit = int.TryParse(query["limit"], out var parsedLimit) ? Math.Clamp(parsedLimit, 1, 1000) : 100;

        IEnumerable<SimRun> runs = simulator.Runs.List(activeOnly: activeOnly)
            .Where(r => agentIds.Count == 0 || agentIds.Contains(r.AgentId))
            .Where(r => conversationId.Length == 0 || r.ConversationId == conversationId)
            .Where(r => statuses.Count == 0 || statuses.Contains(r.Status.ToString()))
            .Where(r => background is null || r.Background == background);
        if (string.Equals(query["order"], "asc", StringComparison.OrdinalIgnoreCase))
        {
            runs = runs.Reverse();
        }

        // after/before: run-id cursors in the listing's order (the SDK pages on with the last id it got).
        var ordered = runs.ToList();
        if (PageQuery.Optional(query["after"]) is { } after && ordered.FindIndex(r => r.Id == after) is var start and >= 0)
        {
            ordered = ordered[(start + 1)..];
        }

        if (PageQuery.Optional(query["before"]) is { } before && ordered.FindIndex(r => r.Id == before) is var end and >= 0)
        {
            ordered = ordered[..end];
        }

        var page = ordered.Take(limit).ToList();
        await HttpWrite.JsonAsync(context, StatusCodes.Status200OK, JsonText.Build(w =>
        {
            w.WriteStartArray();
            foreach (var run in page)
            {
                RunJson.Write(w, run);
            }

            w.WriteEndArray();
        })).ConfigureAwait(false);
    }

    private async Task<SimRun?> FindAsync(HttpContext context)
    {
        var runId = (string)context.Request.RouteValues["run_id"]!;
        if (!LettaIds.IsRunId(runId))
        {
            await HttpWrite.ErrorAsync(context, ApiError.InvalidPathId("run_id", runId, LettaIds.RunIdRegex)).ConfigureAwait(false);
            return null;
        }

        if (!simulator.Runs.TryGet(runId, out var run))
        {
            await HttpWrite.ErrorAsync(context, ApiError.RunNotFound(runId)).ConfigureAwait(false);
            return null;
        }

        return run;
    }

    private static bool IsTrue(Microsoft.Extensions.Primitives.StringValues value) =>
        value.ToString() is "true" or "True" or "1";
}
