using System.Text.Json;
using LettaSockets.Simulator.Wire;
using Microsoft.AspNetCore.Http;

namespace LettaSockets.Simulator.Http;

/// <summary>
/// <c>GET /v1/agents/</c> (<c>name</c>, <c>limit</c> 50, <c>order</c> desc by creation, <c>after</c>/<c>before</c> agent-id
/// cursors in that order) and <c>GET /v1/agents/{agent_id}</c>: Letta's AgentState with the fields the SDK requires.
/// </summary>
internal sealed class AgentEndpoints(LettaSimulator simulator)
{
    private const int DefaultLimit = 50;

    public Task ListAsync(HttpContext context)
    {
        var query = context.Request.Query;
        if (PageQuery.Parse(query, DefaultLimit, "desc", out var error) is not { } page)
        {
            return HttpWrite.ErrorAsync(context, error);
        }

        // Equal creation dates (the demo agents') keep the catalog's order either way.
        var name = query["name"].ToString();
        var matching = simulator.Agents.All.Where(a => name.Length == 0 || a.Name == name);
        var ordered = (page.Descending ? matching.OrderByDescending(a => a.CreatedAt) : matching.OrderBy(a => a.CreatedAt)).ToList();
        if (page.After is { } after && ordered.FindIndex(a => a.Id == after) is var start and >= 0)
        {
            ordered = ordered[(start + 1)..];
        }

        if (page.Before is { } before && ordered.FindIndex(a => a.Id == before) is var end and >= 0)
        {
            ordered = ordered[..end];
        }

        var agents = ordered.Take(page.Limit).ToList();
        return HttpWrite.JsonAsync(context, StatusCodes.Status200OK, JsonText.Build(w =>
        {
            w.WriteStartArray();
            foreach (var agent in agents)
            {
                Write(w, agent);
            }

            w.WriteEndArray();
        }));
    }

    public Task GetAsync(HttpContext context)
    {
        var agentId = (string)context.Request.RouteValues["agent_id"]!;
        if (!LettaIds.IsAgentId(agentId))
        {
            return HttpWrite.ErrorAsync(context, ApiError.InvalidPathId("agent_id", agentId, LettaIds.AgentIdRegex));
        }

        return simulator.Agents.TryGet(agentId, out var agent)
            ? HttpWrite.JsonAsync(context, StatusCodes.Status200OK, JsonText.Build(w => Write(w, agent)))
            : HttpWrite.ErrorAsync(context, ApiError.AgentNotFound(agentId));
    }

    private static void Write(Utf8JsonWriter writer, SimAgent agent)
    {
        writer.WriteStartObject();
        writer.WriteString("id", agent.Id);
        writer.WriteString("name", agent.Name);
        if (agent.Description is null)
        {
            writer.WriteNull("description");
        }
        else
        {
            writer.WriteString("description", agent.Description);
        }

        writer.WriteString("agent_type", "letta_v1_agent");
        writer.WriteString("created_at", LettaDate.ToWire(agent.CreatedAt));
        writer.WriteString("updated_at", LettaDate.ToWire(agent.CreatedAt));
        writer.WriteString("model", "letta-simulator/scripted");
        writer.WriteStartArray("tags");
        writer.WriteStringValue("simulator");
        writer.WriteEndArray();
        writer.WriteNull("metadata");

        // Required by the SDK's AgentState: a scripted agent has no memory blocks, tools or sources.
        writer.WriteString("system", "You are a scripted agent of the Letta simulator.");
        writer.WriteStartArray("blocks");
        writer.WriteEndArray();
        writer.WriteStartObject("memory");
        writer.WriteString("agent_type", "letta_v1_agent");
        writer.WriteStartArray("blocks");
        writer.WriteEndArray();
        writer.WriteEndObject();
        writer.WriteStartObject("llm_config");
        writer.WriteString("model", "scripted");
        writer.WriteString("model_endpoint_type", "openai");
        writer.WriteNull("model_endpoint");
        writer.WriteString("handle", "letta-simulator/scripted");
        writer.WriteNumber("context_window", 128_000);
        writer.WriteEndObject();
        writer.WriteStartArray("sources");
        writer.WriteEndArray();
        writer.WriteStartArray("tools");
        writer.WriteEndArray();
        writer.WriteEndObject();
    }
}
