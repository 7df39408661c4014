using System.Net;
using System.Text.Json;
using LettaSockets.Simulator.Tests.TestSupport;

namespace LettaSockets.Simulator.Tests.Http;

[TestClass]
public sealed class RequestValidationTests
{
    private const string UnknownAgent = "agent-99999999-9999-4999-8999-999999999999";

    [TestMethod]
    public async Task Unknown_agent_is_404_with_Letta_detail()
    {
        await using var sim = await SimTest.StartAsync();

        var (status, body) = await SendAsync(sim, $"/v1/agents/{UnknownAgent}/messages", SimTest.Body("hi"));

        Assert.AreEqual(HttpStatusCode.NotFound, status);
        Assert.AreEqual($"{{\"detail\":\"Agent with ID {UnknownAgent} not found\"}}", body);
    }

    [TestMethod]
    public async Task Malformed_agent_id_is_422_with_a_string_detail_and_examples()
    {
        await using var sim = await SimTest.StartAsync();

        var (status, body) = await SendAsync(sim, "/v1/agents/agent-xyz/messages", SimTest.Body("hi"));

        Assert.AreEqual(HttpStatusCode.UnprocessableEntity, status);
        var json = JsonDocument.Parse(body).RootElement;
        Assert.AreEqual(JsonValueKind.String, json.GetProperty("detail").ValueKind);
        StringAssert.Contains(json.GetProperty("detail").GetString(), "'loc': ('path', 'agent_id')");
        Assert.AreEqual("agent-123e4567-e89b-42d3-8456-426614174000", json.GetProperty("examples")[0].GetString());
        Assert.IsTrue(json.TryGetProperty("trace_id", out _));
    }

    [TestMethod]
    [DataRow("{\"streaming\":true}", "'type': 'value_error'")]
    [DataRow("{\"streaming\":true,\"input\":\"a\",\"messages\":[{\"role\":\"user\",\"content\":\"b\"}]}", "'type': 'value_error'")]
    [DataRow("{\"input\":\"a\",\"streaming\":\"maybe\"}", "'loc': ('body', 'streaming')")]
    [DataRow("not json", "'type': 'json_invalid'")]
    [DataRow("{\"messages\":[{\"type\":\"bogus\"}],\"streaming\":true}", "'type': 'union_tag_invalid'")]
    [DataRow("{\"messages\":[{\"content\":\"no role\"}],\"streaming\":true}", "'type': 'missing'")]
    [DataRow("{\"input\":\"lone \\ud800 surrogate\",\"streaming\":true}", "'type': 'string_unicode'")]
    public async Task Invalid_bodies_are_422_with_a_python_repr_detail(string body, string expected)
    {
        await using var sim = await SimTest.StartAsync();
        sim.AddAgent(_ => AgentScript.Create().Say("x"));

        var (status, text) = await SendAsync(sim, $"/v1/agents/{SimTest.AgentId}/messages", body);

        Assert.AreEqual(HttpStatusCode.UnprocessableEntity, status);
        StringAssert.Contains(JsonDocument.Parse(text).RootElement.GetProperty("detail").GetString(), expected);
        Assert.AreEqual(422, sim.Sim.Journal.Messages.Single().StatusCode);
        Assert.IsEmpty(sim.Sim.Runs.All);
    }

    [TestMethod]
    public async Task Empty_messages_and_streaming_options_without_streaming_are_route_level_422s()
    {
        await using var sim = await SimTest.StartAsync();
        sim.AddAgent(_ => AgentScript.Create().Say("x"));
        var path = $"/v1/agents/{SimTest.AgentId}/messages";

        var (_, empty) = await SendAsync(sim, path, "{\"messages\":[],\"streaming\":true}");
        var (status, options) = await SendAsync(sim, path, "{\"input\":\"x\",\"stream_tokens\":true,\"background\":true}");

        Assert.AreEqual("{\"detail\":\"Messages must not be empty\"}", empty);
        Assert.AreEqual(HttpStatusCode.UnprocessableEntity, status);
        StringAssert.Contains(options, "stream_tokens, background");
    }

    [TestMethod]
    [DataRow("MyGateway/1.0", null, false)]
    [DataRow("curl/8.5.0", null, false)]
    [DataRow("nogate", null, false)]
    [DataRow("letta-client/1.12.1", null, true)]
    [DataRow("@letta-ai/letta-client/1.12.0", null, true)]
    [DataRow("MyGateway/1.0", "1.0.0", true)]
    [DataRow(null, null, true)]
    public async Task Sdk_version_gate_on_streaming_sends(string? userAgent, string? stainless, bool allowed)
    {
        await using var sim = await SimTest.StartAsync();
        sim.AddAgent(_ => AgentScript.Create().Say("x"));

        using var response = await sim.PostAsync($"/v1/agents/{SimTest.AgentId}/messages", SimTest.Body("hi"), h =>
        {
            if (userAgent is not null)
            {
                h.TryAddWithoutValidation("User-Agent", userAgent);
            }

            if (stainless is not null)
            {
                h.Add("X-Stainless-Package-Version", stainless);
            }
        });
        var body = await response.Content.ReadAsStringAsync().WaitAsync(SimTest.Timeout);

        if (allowed)
        {
            Assert.AreEqual(HttpStatusCode.OK, response.StatusCode, body);
            Assert.AreEqual(userAgent, sim.Sim.Journal.Messages.Single().UserAgent);
        }
        else
        {
            Assert.AreEqual(HttpStatusCode.UnprocessableEntity, response.StatusCode);
            Assert.AreEqual("{\"detail\":\"streaming=true is only supported for SDK v1.0+ clients.\"}", body);
        }
    }

    [TestMethod]
    public async Task Sdk_gate_can_be_switched_off()
    {
        await using var sim = await SimTest.StartAsync(o => o.EnforceSdkVersionGate = false);
        sim.AddAgent(_ => AgentScript.Create().Say("x"));

        using var response = await sim.PostAsync($"/v1/agents/{SimTest.AgentId}/messages", SimTest.Body("hi"), h => h.UserAgent.ParseAdd("MyGateway/1.0"));

        Assert.AreEqual(HttpStatusCode.OK, response.StatusCode);
    }

    [TestMethod]
    public async Task Required_api_key_guards_every_v1_route()
    {
        await using var sim = await SimTest.StartAsync(o => o.RequiredApiKey = "s3cret");
        sim.AddAgent(_ => AgentScript.Create().Say("x"));

        var (status, body) = await SendAsync(sim, $"/v1/agents/{SimTest.AgentId}/messages", SimTest.Body("hi"));
        using var list = await sim.Client.GetAsync("/v1/agents").WaitAsync(SimTest.Timeout);
        using var authorized = await sim.PostAsync($"/v1/agents/{SimTest.AgentId}/messages", SimTest.Body("hi"), h =>
        {
            h.Authorization = new("Bearer", "s3cret");
            h.Add("X-Project-Id", "proj-1");
        });
        await authorized.Content.ReadAsStringAsync().WaitAsync(SimTest.Timeout);

        Assert.AreEqual(HttpStatusCode.Unauthorized, status);
        Assert.AreEqual("{\"detail\":\"Unauthorized\"}", body);
        Assert.AreEqual(HttpStatusCode.Unauthorized, list.StatusCode);
        Assert.AreEqual(HttpStatusCode.OK, authorized.StatusCode);
        var record = sim.Sim.Journal.Messages.Single();
        Assert.IsTrue(record.HasAuthorization);
        Assert.AreEqual("proj-1", record.ProjectId);
    }

    [TestMethod]
    public async Task Non_streaming_send_answers_json_with_messages_stop_reason_and_usage()
    {
        await using var sim = await SimTest.StartAsync();
        sim.AddAgent(_ => AgentScript.Create().Reasoning("hmm").Say("Hello there"));

        var (status, body) = await SendAsync(sim, $"/v1/agents/{SimTest.AgentId}/messages", "{\"input\":\"hi\"}");

        Assert.AreEqual(HttpStatusCode.OK, status, body);
        var json = JsonDocument.Parse(body).RootElement;
        var messages = json.GetProperty("messages").EnumerateArray().ToList();
        Assert.AreEqual("reasoning_message", messages[0].GetProperty("message_type").GetString());
        Assert.AreEqual("Hello there", messages[1].GetProperty("content").GetString());
        Assert.AreEqual("end_turn", json.GetProperty("stop_reason").GetProperty("stop_reason").GetString());
        Assert.AreEqual("usage_statistics", json.GetProperty("usage").GetProperty("message_type").GetString());
        Assert.IsFalse(sim.Sim.Journal.Messages.Single().Streaming);
    }

    [TestMethod]
    public async Task Agents_are_listed_and_fetched_by_id()
    {
        await using var sim = await SimTest.StartAsync();

        var list = JsonDocument.Parse(await sim.GetStringAsync("/v1/agents")).RootElement;
        var one = JsonDocument.Parse(await sim.GetStringAsync($"/v1/agents/{DemoAgents.DiceId}")).RootElement;
        using var missing = await sim.Client.GetAsync($"/v1/agents/{UnknownAgent}").WaitAsync(SimTest.Timeout);

        CollectionAssert.AreEqual(
            new[] { DemoAgents.AdaId, DemoAgents.DiceId, DemoAgents.SageId, DemoAgents.BenchId, DemoAgents.ApproverId },
            list.EnumerateArray().Select(a => a.GetProperty("id").GetString()).ToArray());
        Assert.AreEqual("Dice & Lookup — tool user", one.GetProperty("name").GetString());
        Assert.AreEqual("2026-01-01T00:00:00+00:00", one.GetProperty("created_at").GetString());
        Assert.AreEqual("letta_v1_agent", one.GetProperty("agent_type").GetString());
        Assert.AreEqual(HttpStatusCode.NotFound, missing.StatusCode);
    }

    private static async Task<(HttpStatusCode Status, string Body)> SendAsync(SimTest sim, string path, string body)
    {
        using var response = await sim.PostAsync(path, body);
        return (response.StatusCode, await response.Content.ReadAsStringAsync().WaitAsync(SimTest.Timeout));
    }
}
