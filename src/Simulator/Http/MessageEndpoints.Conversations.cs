using Microsoft.AspNetCore.Http;

namespace LettaSockets.Simulator.Http;

/// <summary>
/// <c>POST /v1/conversations/{conversation_id}/messages</c> (Letta's endpoints, Letta's request body): the agent-route pipeline with a
/// <c>ConversationMessageRequest</c> (streaming by default, <c>agent_id</c> for <c>default</c>), no SDK gate,
/// and the per-conversation lock (Letta's concurrency and otids: a second send while a run holds it is 409 with the holder's run id).
/// </summary>
internal sealed partial class MessageEndpoints
{
    public const string ConversationRoute = "conversations/messages";

    public async Task SendToConversationAsync(HttpContext context)
    {
        var pathId = (string)context.Request.RouteValues["conversation_id"]!;
        var record = NewRecord(context, agentId: "", ConversationRoute) with { ConversationId = pathId };
        if (ConversationTarget.CheckPath(pathId) is { } invalidPath)
        {
            await RefuseAsync(context, record, invalidPath).ConfigureAwait(false);
            return;
        }

        var body = await HttpWrite.ReadBodyAsync(context).ConfigureAwait(false);
        var parsed = MessageRequestParser.Parse(body, streamRoute: false, out var invalid, conversation: true);
        if (parsed is null)
        {
            await RefuseAsync(context, record, invalid).ConfigureAwait(false);
            return;
        }

        record = WithRequest(record, parsed);
        var target = ConversationTarget.Resolve(simulator.Conversations, pathId, parsed.AgentId, out var notFound);
        if (target is null)
        {
            await RefuseAsync(context, record, notFound).ConfigureAwait(false);
            return;
        }

        record = record with { AgentId = target.AgentId };
        if (!simulator.Agents.TryGet(target.AgentId, out var agent))
        {
            await RefuseAsync(context, record, ApiError.AgentNotFound(target.AgentId)).ConfigureAwait(false);
            return;
        }

        await FaultThenRunAsync(context, agent, parsed, record, target).ConfigureAwait(false);
    }
}
