using System.Net;
using LettaSockets.Simulator.Tests.TestSupport;

namespace LettaSockets.Simulator.Tests.Http;

[TestClass]
public sealed class HealthAndRoutingTests
{
    [TestMethod]
    [DataRow("/v1/health")]
    [DataRow("/v1/health/")]
    [DataRow("/latest/health/")]
    [DataRow("/v1/ready/")]
    public async Task Health_answers_Lettas_body_without_the_api_key(string path)
    {
        await using var sim = await SimTest.StartAsync(o => o.RequiredApiKey = "secret");

        using var response = await sim.Client.GetAsync(path).WaitAsync(SimTest.Timeout);

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
        Assert.AreEqual("application/json", response.Content.Headers.ContentType?.MediaType);
        Assert.AreEqual("{\"version\":\"0.16.8\",\"status\":\"ok\"}", await response.Content.ReadAsStringAsync());
    }

    [TestMethod]
    public async Task Collections_answer_with_and_without_the_trailing_slash_Lettas_router_declares()
    {
        await using var sim = await SimTest.StartAsync();
        sim.AddAgent(_ => AgentScript.Create().Say("x"));
        var conversation = sim.Sim.Conversations.Create(SimTest.AgentId);

        foreach (var path in new[]
        {
            "/v1/agents", "/v1/agents/", $"/v1/agents/{SimTest.AgentId}/messages/", "/v1/runs/", "/v1/conversations/",
            $"/v1/conversations/?agent_id={SimTest.AgentId}", $"/v1/conversations/{conversation}/messages/",
        })
        {
            using var response = await sim.Client.GetAsync(path).WaitAsync(SimTest.Timeout);
            Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, path);
        }

        using var created = await sim.PostAsync($"/v1/conversations/?agent_id={SimTest.AgentId}", null);
        Assert.AreEqual(HttpStatusCode.OK, created.StatusCode);
    }

    [TestMethod]
    public async Task The_agent_list_pages_by_cursor_in_its_order()
    {
        await using var sim = await SimTest.StartAsync();
        var ids = sim.Sim.Agents.All.Select(a => a.Id).ToList();

        var first = await IdsAsync(sim, "/v1/agents/?limit=2");
        var next = await IdsAsync(sim, $"/v1/agents/?limit=2&after={first[^1]}");
        var before = await IdsAsync(sim, $"/v1/agents/?before={ids[2]}");
        using var badLimit = await sim.Client.GetAsync("/v1/agents/?limit=many").WaitAsync(SimTest.Timeout);

        CollectionAssert.AreEqual(ids[..2], first);
        CollectionAssert.AreEqual(ids[2..4], next);
        CollectionAssert.AreEqual(ids[..2], before);
        Assert.AreEqual(HttpStatusCode.UnprocessableEntity, badLimit.StatusCode);
    }

    private static async Task<List<string>> IdsAsync(SimTest sim, string path) =>
        [.. System.Text.Json.JsonDocument.Parse(await sim.GetStringAsync(path)).RootElement.EnumerateArray().Select(a => a.GetProperty("id").GetString()!)];
}
