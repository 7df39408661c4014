using Microsoft.AspNetCore.Http;

namespace LettaSockets.Simulator.Http;

/// <summary>
/// <c>POST /v1/conversations/{conversation_id}/stream</c> (Letta's background runs): re-attach to a background run of the
/// conversation — the body's <c>run_id</c>, else the newest run whose input carried the body's <c>otid</c>, else
/// the newest active run (of the agent, for <c>default</c> + body <c>agent_id</c>). The body is optional; without
/// one Letta sends no pings.
/// </summary>
internal sealed partial class RunEndpoints
{
    public async Task StreamConversationAsync(HttpContext context)
    {
        var pathId = (string)context.Request.RouteValues["conversation_id"]!;
        if (ConversationTarget.CheckPath(pathId) is { } invalidPath)
        {
            await HttpWrite.ErrorAsync(context, invalidPath).ConfigureAwait(false);
            return;
        }

        var body = await HttpWrite.ReadBodyAsync(context).ConfigureAwait(false);
        if (!ResumeRequest.TryParse(body, optional: true, out var resume, out var invalid))
        {
            await HttpWrite.ErrorAsync(context, invalid).ConfigureAwait(false);
            return;
        }

        var target = ConversationTarget.Resolve(simulator.Conversations, pathId, resume.AgentId, out var notFound);
        if (target is null)
        {
            await HttpWrite.ErrorAsync(context, notFound).ConfigureAwait(false);
            return;
        }

        SimRun? run;
        if (resume.RunId is { } runId)
        {
            if (!simulator.Runs.TryGet(runId, out run))
            {
                await HttpWrite.ErrorAsync(context, ApiError.RunNotFound(runId)).ConfigureAwait(false);
                return;
            }
        }
        else
        {
            var runs = target.IsAgentDirect
                ? simulator.Runs.List(target.AgentId)
                : simulator.Runs.ListForConversation(target.ConversationId!);
            run = resume.Otid is { } otid
                ? runs.FirstOrDefault(r => r.Otids.Contains(otid))
                : runs.FirstOrDefault(r => r.IsActive);
        }

        if (run is null)
        {
            await HttpWrite.ErrorAsync(context, ApiError.NoActiveRunsToStream()).ConfigureAwait(false);
            return;
        }

        if (!run.Background)
        {
            await HttpWrite.ErrorAsync(context, ApiError.ConversationRunNotBackground()).ConfigureAwait(false);
            return;
        }

        if (simulator.TimeProvider.GetUtcNow() - run.CreatedAt > simulator.Options.RunRetention)
        {
            await HttpWrite.ErrorAsync(context, ApiError.Expired()).ConfigureAwait(false);
            return;
        }

        await ReplayAsync(context, run, resume).ConfigureAwait(false);
    }
}
