using LettaSockets.Simulator.Wire;
using Microsoft.AspNetCore.Http;

namespace LettaSockets.Simulator.Http;

/// <summary>
/// The history routes: <c>GET /v1/agents/{agent_id}/messages</c> (optional <c>conversation_id</c>: <c>default</c> or
/// <c>conv-…</c>), <c>GET /v1/conversations/{conversation_id}/messages</c> (<c>default</c> + <c>agent_id</c> reads the
/// agent's) and <c>GET /v1/runs/{run_id}/messages</c>. Each pages by stored message (<see cref="HistoryPager"/>)
/// with Letta's defaults: limit 100, newest first — except a run's messages, oldest first.
/// </summary>
internal sealed class HistoryEndpoints(LettaSimulator simulator)
{
    private const int DefaultLimit = 100;

    public Task ListForAgentAsync(HttpContext context)
    {
        var agentId = (string)context.Request.RouteValues["agent_id"]!;
        if (!LettaIds.IsAgentId(agentId))
        {
            return HttpWrite.ErrorAsync(context, ApiError.InvalidPathId("agent_id", agentId, LettaIds.AgentIdRegex));
        }

        var conversation = PageQuery.Optional(context.Request.Query["conversation_id"]);
        return RecallAsync(context, agentId, conversation switch
        {
            null => _ => true,
            ConversationTarget.Default => m => m.ConversationId is null,
            _ => m => m.ConversationId == conversation,
        });
    }

    public Task ListForConversationAsync(HttpContext context)
    {
        var pathId = (string)context.Request.RouteValues["conversation_id"]!;
        if (ConversationTarget.CheckPath(pathId) is { } invalid)
        {
            return HttpWrite.ErrorAsync(context, invalid);
        }

        // Agent-direct: Letta reads the agent's whole history here (it passes no conversation filter).
        var agentId = PageQuery.Optional(context.Request.Query["agent_id"]);
        if (pathId == ConversationTarget.Default && agentId is not null)
        {
            return RecallAsync(context, agentId, _ => true);
        }

        if (LettaIds.IsAgentId(pathId))
        {
            return RecallAsync(context, pathId, _ => true);
        }

        if (PageQuery.Parse(context.Request.Query, DefaultLimit, "desc", out var error) is not { } page)
        {
            return HttpWrite.ErrorAsync(context, error);
        }

        // An unknown conversation (or "default" without an agent) is an empty list: Letta only joins on the id.
        var messages = simulator.History.ForConversation(pathId);
        return WriteAsync(context, HistoryPager.Conversation(messages, page));
    }

    public Task ListForRunAsync(HttpContext context)
    {
        var runId = (string)context.Request.RouteValues["run_id"]!;
        if (!simulator.Runs.TryGet(runId, out var run))
        {
            return HttpWrite.ErrorAsync(context, ApiError.RunNotFound(runId));
        }

        if (PageQuery.Parse(context.Request.Query, DefaultLimit, "asc", out var error) is not { } page)
        {
            return HttpWrite.ErrorAsync(context, error);
        }

        var messages = HistoryPager.Run(simulator.History.ForRun(run.Id), page, out var unknownCursor);
        return unknownCursor is null
            ? WriteAsync(context, messages)
            : HttpWrite.ErrorAsync(context, ApiError.MessageNotFound(unknownCursor, "None"));
    }

    private Task RecallAsync(HttpContext context, string agentId, Func<HistoryMessage, bool> match)
    {
        if (!simulator.Agents.TryGet(agentId, out _))
        {
            return HttpWrite.ErrorAsync(context, ApiError.AgentNotFound(agentId));
        }

        if (PageQuery.Parse(context.Request.Query, DefaultLimit, "desc", out var error) is not { } page)
        {
            return HttpWrite.ErrorAsync(context, error);
        }

        var all = simulator.History.ForAgent(agentId);
        var messages = HistoryPager.Recall(all.Where(match).ToList(), all, page, out var unknownCursor);
        return unknownCursor is null
            ? WriteAsync(context, messages)
            : HttpWrite.ErrorAsync(context, ApiError.MessageNotFound(unknownCursor, agentId));
    }

    private static Task WriteAsync(HttpContext context, IEnumerable<HistoryMessage> messages) =>
        HttpWrite.JsonAsync(context, StatusCodes.Status200OK, "[" + string.Join(",", messages.Select(m => m.Json)) + "]");
}
