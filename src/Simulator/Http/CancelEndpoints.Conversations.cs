using Microsoft.AspNetCore.Http;

namespace LettaSockets.Simulator.Http;

/// <summary>
/// <c>POST /v1/conversations/{conversation_id}/cancel</c> (Letta's cancellation): cancels every active run of the conversation
/// (at most 100, newest first), or with <c>default</c> + <c>?agent_id=</c> every active run of the agent (Letta
/// lists them by agent there). No body; same answer shape as the agent route; 409 when nothing is active.
/// </summary>
internal sealed partial class CancelEndpoints
{
    private const int ConversationCancelLimit = 100;

    public async Task CancelConversationAsync(HttpContext context)
    {
        var time = simulator.TimeProvider;
        var pathId = (string)context.Request.RouteValues["conversation_id"]!;
        var agentIdQuery = context.Request.Query["agent_id"].ToString();
        var record = new CancelRecord
        {
            AgentId = "",
            ConversationId = pathId,
            ReceivedAt = time.GetUtcNow(),
            Timestamp = time.GetTimestamp(),
        };
        if (ConversationTarget.CheckPath(pathId) is { } invalidPath)
        {
            await AnswerAsync(context, record, invalidPath).ConfigureAwait(false);
            return;
        }

        var target = ConversationTarget.Resolve(simulator.Conversations, pathId, agentIdQuery, out var notFound);
        if (target is null)
        {
            await AnswerAsync(context, record, notFound).ConfigureAwait(false);
            return;
        }

        record = record with { AgentId = target.AgentId };
        if (simulator.Faults.TryTake(FaultTarget.Cancel, target.AgentId, f => f.IsPreStream) is { } fault)
        {
            record = record with { Fault = fault };
            if (PreStreamFaults.AnswerStatus(fault) is { } status)
            {
                simulator.Journal.Add(record with { StatusCode = status });
            }

            if (await PreStreamFaults.ApplyAsync(context, fault, target.ConversationId ?? target.AgentId, time).ConfigureAwait(false))
            {
                return;
            }
        }

        var active = target.IsAgentDirect
            ? simulator.Runs.List(target.AgentId, activeOnly: true)
            : simulator.Runs.ListForConversation(target.ConversationId!, activeOnly: true);
        IReadOnlyList<string> targets = [.. active.Take(ConversationCancelLimit).Select(r => r.Id)];
        if (targets.Count == 0)
        {
            await AnswerAsync(context, record, ApiError.NoActiveConversationRuns(pathId)).ConfigureAwait(false);
            return;
        }

        await CancelRunsAsync(context, record, targets).ConfigureAwait(false);
    }
}
