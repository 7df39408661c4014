using System.Text.Json;
using LettaSockets.Simulator.Wire;
using Microsoft.AspNetCore.Http;

namespace LettaSockets.Simulator.Http;

/// <summary><c>GET /v1/agents</c> and <c>GET /v1/agents/{agent_id}</c>: a small subset of Letta's AgentState.</summary>
internal sealed class AgentEndpoints(LettaSimulator simulator)
{
    public Task ListAsync(HttpContext context)
    {
        var name = context.Request.Query["name"].ToString();
        var limit = int.TryParse(context.Request.Query["limit"], out var parsed) ? Math.Max(parsed, 1) : int.MaxValue;
        var agents = simulator.Agents.All.Where(a => name.Length == 0 || a.Name == name).Take(limit).ToList();
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
        writer.WriteEndObject();
    }
}
