using System.Text.Json;
using LettaSockets.Simulator.Tests.TestSupport;
using LettaSockets.Simulator.Wire;

namespace LettaSockets.Simulator.Tests.Http;

[TestClass]
public sealed class TokenAndStepModeTests
{
    private const string Text = "Grüße aus Köln 👋🏽! Family: 👨‍👩‍👧‍👦, flag 🇫🇷, math 𝒜𝒝𝒞𝒟𝒠𝒡𝒢𝒣, supercalifragilisticexpialidocious.\n\tDone ✅";
    private const string Arguments = "{\"num_sides\": 20, \"label\": \"ünïcødé 🎲\"}";

    [TestMethod]
    public async Task Token_deltas_concatenate_to_the_exact_text()
    {
        await using var sim = await SimTest.StartAsync();
        sim.AddAgent(_ => AgentScript.Create().Reasoning(Text).Say(Text));

        var events = await sim.StreamToEndAsync(SimTest.Body("hi"));

        Assert.IsGreaterThan(10, events.Count(e => e.MessageType == "assistant_message"));
        Assert.AreEqual(Text, events.Concat("assistant_message", "content"));
        Assert.AreEqual(Text, events.Concat("reasoning_message", "reasoning"));
    }

    [TestMethod]
    public async Task Token_mode_tool_call_deltas_share_one_object_shape()
    {
        await using var sim = await SimTest.StartAsync();
        sim.AddAgent(_ => AgentScript.Create().ToolCall("roll_dice", Arguments, result: "17"));

        var events = await sim.StreamToEndAsync(SimTest.Body("hi"));

        var calls = events.Where(e => e.MessageType == "tool_call_message").ToList();
        Assert.IsGreaterThan(2, calls.Count);
        foreach (var call in calls)
        {
            var toolCall = call.Json.GetProperty("tool_call");
            Assert.AreEqual(JsonValueKind.Object, call.Json.GetProperty("tool_calls").ValueKind);
            Assert.AreEqual(toolCall.GetRawText(), call.Json.GetProperty("tool_calls").GetRawText());
        }

        var first = calls[0].Json.GetProperty("tool_call");
        Assert.AreEqual("roll_dice", first.GetProperty("name").GetString());
        Assert.IsFalse(first.TryGetProperty("arguments", out _));
        var callId = first.GetProperty("tool_call_id").GetString();
        StringAssert.StartsWith(callId, "call_");
        Assert.IsTrue(calls.Skip(1).All(c => !c.Json.GetProperty("tool_call").TryGetProperty("name", out _)));
        var arguments = string.Concat(calls.Skip(1).Select(c => c.Json.GetProperty("tool_call").GetProperty("arguments").GetString()));
        Assert.AreEqual(Arguments, arguments);

        var toolReturn = events.Single(e => e.MessageType == "tool_return_message");
        Assert.AreEqual("roll_dice", toolReturn.Str("name"));
        Assert.AreEqual("17", toolReturn.Str("tool_return"));
        Assert.AreEqual("success", toolReturn.Str("status"));
        Assert.AreEqual(callId, toolReturn.Str("tool_call_id"));
        var item = toolReturn.Json.GetProperty("tool_returns")[0];
        CollectionAssert.AreEqual(
            new[] { "type", "tool_return", "status", "tool_call_id", "stdout", "stderr" },
            item.EnumerateObject().Select(p => p.Name).ToArray());
    }

    [TestMethod]
    public async Task Step_mode_sends_whole_messages_and_tool_calls_as_an_array()
    {
        await using var sim = await SimTest.StartAsync();
        sim.AddAgent(_ => AgentScript.Create().Say(Text).ToolCall("roll_dice", Arguments, result: "17").Say("Rolled."));

        var events = await sim.StreamToEndAsync(SimTest.Body("hi", tokens: false));

        Assert.AreEqual(
            "ping,assistant_message,tool_call_message,tool_return_message,assistant_message,stop_reason,usage_statistics,[DONE]",
            events.Types());
        Assert.AreEqual(Text, events[1].Str("content"));
        var call = events[2].Json;
        Assert.AreEqual(JsonValueKind.Array, call.GetProperty("tool_calls").ValueKind);
        Assert.AreEqual(Arguments, call.GetProperty("tool_call").GetProperty("arguments").GetString());
        Assert.AreEqual(call.GetProperty("tool_call").GetRawText(), call.GetProperty("tool_calls")[0].GetRawText());
        Assert.AreEqual(2, events[^2].Json.GetProperty("step_count").GetInt32());
    }

    [TestMethod]
    public async Task Otid_index_moves_on_each_type_change_within_one_response()
    {
        await using var sim = await SimTest.StartAsync();
        sim.AddAgent(_ => AgentScript.Create()
            .Reasoning("Let me think.").Say("Rolling now.").ToolCall("roll_dice", "{}", result: "3").Say("You got 3."));

        var events = await sim.StreamToEndAsync(SimTest.Body("hi"));

        var step1 = events.Where(e => e.MessageType is "reasoning_message" or "tool_call_message"
            || (e.MessageType == "assistant_message" && e.Str("content") != null && events.IndexOf(e) < events.FindIndex(x => x.MessageType == "tool_call_message"))).ToList();
        var id = step1[0].Str("id")!;
        StringAssert.StartsWith(id, "message-");
        Assert.IsTrue(step1.All(e => e.Str("id") == id), "one LLM response shares one id");
        Assert.IsTrue(step1.All(e => e.Str("step_id") == step1[0].Str("step_id")));
        var expected = new Dictionary<string, int> { ["reasoning_message"] = 0, ["assistant_message"] = 1, ["tool_call_message"] = 2 };
        foreach (var e in step1)
        {
            Assert.AreEqual(LettaIds.Otid(id, expected[e.MessageType!]), e.Str("otid"), e.ToString());
        }

        var toolReturn = events.Single(e => e.MessageType == "tool_return_message");
        Assert.AreNotEqual(id, toolReturn.Str("id"));
        Assert.AreEqual(LettaIds.Otid(toolReturn.Str("id")!, 0), toolReturn.Str("otid"));
        Assert.AreEqual(step1[0].Str("step_id"), toolReturn.Str("step_id"));

        var final = events.Last(e => e.MessageType == "assistant_message");
        Assert.AreNotEqual(id, final.Str("id"), "the answer after the tool is a new LLM response");
        Assert.AreNotEqual(step1[0].Str("step_id"), final.Str("step_id"));
        Assert.AreEqual(LettaIds.Otid(final.Str("id")!, 0), final.Str("otid"));
    }
}
