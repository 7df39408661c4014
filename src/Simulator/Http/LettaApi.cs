using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Http;
using Microsoft.AspNetCore.Routing;

namespace LettaSockets.Simulator.Http;

/// <summary>Maps the Letta routes (under <c>/v1</c>, and <c>/latest</c> as Letta's undocumented alias, Letta's auth and headers) and <c>/_sim</c>.</summary>
internal static class LettaApi
{
    public static void Map(IEndpointRouteBuilder endpoints, LettaSimulator simulator, CancellationToken stopping)
    {
        var responder = new SseResponder(simulator.Options, simulator.TimeProvider, simulator.Logger);
        var agents = new AgentEndpoints(simulator);
        var messages = new MessageEndpoints(simulator, responder, stopping);
        var cancels = new CancelEndpoints(simulator);
        var runs = new RunEndpoints(simulator, responder, stopping);
        var conversations = new ConversationEndpoints(simulator);
        var history = new HistoryEndpoints(simulator);
        var options = simulator.Options;

        foreach (var prefix in new[] { "/v1", "/latest" })
        {
            var api = endpoints.MapGroup(prefix);

            // Letta's router declares most collections with a trailing slash ("/v1/agents/") and redirects the bare
            // form; endpoint routing here matches both, so each route serves either spelling directly.
            api.MapGet("/health", HealthEndpoints.CheckAsync);
            api.MapGet("/ready", HealthEndpoints.CheckAsync);
            api.MapGet("/agents", ApiKeyGuard.Protect(agents.ListAsync, options));
            api.MapGet("/agents/{agent_id}", ApiKeyGuard.Protect(agents.GetAsync, options));
            api.MapGet("/agents/{agent_id}/messages", ApiKeyGuard.Protect(history.ListForAgentAsync, options));
            api.MapPost("/agents/{agent_id}/messages", ApiKeyGuard.Protect(messages.SendAsync, options));
            api.MapPost("/agents/{agent_id}/messages/stream", ApiKeyGuard.Protect(messages.StreamAsync, options));
            api.MapPost("/agents/{agent_id}/messages/cancel", ApiKeyGuard.Protect(cancels.CancelAsync, options));
            api.MapGet("/runs", ApiKeyGuard.Protect(runs.ListAsync, options));
            api.MapGet("/runs/active", ApiKeyGuard.Protect(runs.ListActiveAsync, options));
            api.MapGet("/runs/{run_id}", ApiKeyGuard.Protect(runs.GetAsync, options));
            api.MapGet("/runs/{run_id}/messages", ApiKeyGuard.Protect(history.ListForRunAsync, options));
            api.MapPost("/runs/{run_id}/stream", ApiKeyGuard.Protect(runs.StreamAsync, options));
            api.MapPost("/conversations", ApiKeyGuard.Protect(conversations.CreateAsync, options));
            api.MapGet("/conversations", ApiKeyGuard.Protect(conversations.ListAsync, options));
            api.MapGet("/conversations/{conversation_id}", ApiKeyGuard.Protect(conversations.GetAsync, options));
            api.MapGet("/conversations/{conversation_id}/messages", ApiKeyGuard.Protect(history.ListForConversationAsync, options));
            api.MapPost("/conversations/{conversation_id}/messages", ApiKeyGuard.Protect(messages.SendToConversationAsync, options));
            api.MapPost("/conversations/{conversation_id}/cancel", ApiKeyGuard.Protect(cancels.CancelConversationAsync, options));
            api.MapPost("/conversations/{conversation_id}/stream", ApiKeyGuard.Protect(runs.StreamConversationAsync, options));
        }

        var control = new ControlEndpoints(simulator);
        var sim = endpoints.MapGroup("/_sim");
        sim.MapPost("/faults", control.AddFaultAsync);
        sim.MapGet("/faults", control.ListFaultsAsync);
        sim.MapDelete("/faults", control.ClearFaultsAsync);
        sim.MapGet("/journal", control.JournalAsync);
        sim.MapDelete("/journal", control.ResetJournalAsync);
    }
}
