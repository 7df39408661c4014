using System.Diagnostics;

namespace LettaSockets.Server.Observability;

/// <summary>
/// The gateway's traces: one trace per turn, from the client's frame to the Letta call (whose HTTP
/// span is its child and carries W3C trace context upstream), linked to the connection's request span.
/// Names follow OpenTelemetry's GenAI conventions where they fit. Without an exporter nothing listens
/// to this source and starting an activity costs one check.
/// </summary>
public static class LettaSocketsTelemetry
{
    public const string SourceName = "LettaSockets";

    public static readonly ActivitySource Source = new(SourceName, ServerVersion.Value);

    /// <summary>Starts a turn's root span (null when nobody listens).</summary>
    public static Activity? StartTurn(string requestId, string agentId, string? conversationId)
    {
        if (!Source.HasListeners())
        {
            return null;
        }

        Activity? connection = Activity.Current;
        Activity.Current = null; // a trace of its own: a connection lives long and carries many turns
        ActivityLink[]? links = connection is null ? null : [new ActivityLink(connection.Context)];
        Activity? turn = Source.StartActivity(ActivityKind.Server, default, null, links, default, $"invoke_agent {agentId}");
        turn?.SetTag("gen_ai.operation.name", "invoke_agent");
        turn?.SetTag("gen_ai.agent.id", agentId);
        turn?.SetTag("gen_ai.conversation.id", conversationId);
        turn?.SetTag("lettasockets.request.id", requestId);
        return turn;
    }
}
