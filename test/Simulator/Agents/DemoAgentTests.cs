using System.Diagnostics;
using System.Net;
using System.Text.Json;
using LettaSockets.Simulator.Tests.TestSupport;

namespace LettaSockets.Simulator.Tests.Agents;

[TestClass]
public sealed class DemoAgentTests
{
    [TestMethod]
    public async Task Ada_counts_byte_exactly_in_both_modes()
    {
        await using var sim = await SimTest.StartAsync();
        var expected = string.Join(" ", Enumerable.Range(1, 50));

        var tokens = await sim.StreamToEndAsync(SimTest.Body("Please count to 50."), DemoAgents.AdaId);
        var steps = await sim.StreamToEndAsync(SimTest.Body("count to 50", tokens: false), DemoAgents.AdaId);

        Assert.AreEqual(expected, tokens.Concat("assistant_message", "content"));
        Assert.AreEqual(50, tokens.Count(e => e.MessageType == "assistant_message"));
        Assert.AreEqual(expected, steps.Single(e => e.MessageType == "assistant_message").Str("content"));
    }

    [TestMethod]
    public async Task Ada_answers_markdown_and_long_answers_deterministically()
    {
        await using var sim = await SimTest.StartAsync();

        var first = (await sim.StreamToEndAsync(SimTest.Body("What is SSE?"), DemoAgents.AdaId)).Concat("assistant_message", "content");
        var again = (await sim.StreamToEndAsync(SimTest.Body("What is SSE?"), DemoAgents.AdaId)).Concat("assistant_message", "content");
        var longer = (await sim.StreamToEndAsync(SimTest.Body("tell me something long"), DemoAgents.AdaId)).Concat("assistant_message", "content");
        var tooMany = (await sim.StreamToEndAsync(SimTest.Body("count to 100001"), DemoAgents.AdaId)).Concat("assistant_message", "content");

        Assert.AreEqual(first, again);
        StringAssert.Contains(first, "What is SSE?");
        StringAssert.Contains(first, "\n- ");
        StringAssert.Contains(first, "```");
        Assert.IsGreaterThan(2800, longer.Length);
        Assert.IsFalse(tooMany.StartsWith("1 2 3", StringComparison.Ordinal));
    }

    [TestMethod]
    public async Task Dice_rolls_deterministically_through_a_tool_call()
    {
        await using var sim = await SimTest.StartAsync();

        var first = await sim.StreamToEndAsync(SimTest.Body("roll a d20", tokens: false), DemoAgents.DiceId);
        var second = await sim.StreamToEndAsync(SimTest.Body("roll a d20", tokens: false), DemoAgents.DiceId);

        Assert.AreEqual(
            "ping,reasoning_message,tool_call_message,tool_return_message,assistant_message,stop_reason,usage_statistics,[DONE]",
            first.Types());
        var call = first[2].Json.GetProperty("tool_call");
        Assert.AreEqual("roll_dice", call.GetProperty("name").GetString());
        Assert.AreEqual("{\"num_sides\": 20}", call.GetProperty("arguments").GetString());
        var value = first[3].Str("tool_return");
        Assert.AreEqual(value, second[3].Str("tool_return"));
        Assert.IsTrue(int.Parse(value!) is >= 1 and <= 20);
        StringAssert.Contains(first[4].Str("content"), $"**{value}**");
    }

    [TestMethod]
    public async Task Dice_looks_things_up_with_search_knowledge()
    {
        await using var sim = await SimTest.StartAsync();

        var events = await sim.StreamToEndAsync(SimTest.Body("look up websockets", tokens: false), DemoAgents.DiceId);

        var call = events.Single(e => e.MessageType == "tool_call_message").Json.GetProperty("tool_call");
        Assert.AreEqual("search_knowledge", call.GetProperty("name").GetString());
        Assert.AreEqual("{\"query\": \"websockets\"}", call.GetProperty("arguments").GetString());
        StringAssert.Contains(events.Single(e => e.MessageType == "tool_return_message").Str("tool_return"), "websockets");
    }

    [TestMethod]
    public async Task Sage_reasons_before_answering()
    {
        await using var sim = await SimTest.StartAsync();

        var events = await sim.StreamToEndAsync(SimTest.Body("Why is the sky blue?"), DemoAgents.SageId);

        var firstReasoning = events.FindIndex(e => e.MessageType == "reasoning_message");
        var lastReasoning = events.FindLastIndex(e => e.MessageType == "reasoning_message");
        var firstAnswer = events.FindIndex(e => e.MessageType == "assistant_message");
        Assert.IsTrue(firstReasoning > 0 && lastReasoning < firstAnswer);
        Assert.IsTrue(events.Where(e => e.MessageType == "reasoning_message").All(e => e.Str("source") == "reasoner_model"));
        StringAssert.Contains(events.Concat("reasoning_message", "reasoning"), "Why is the sky blue?");
    }

    [TestMethod]
    public async Task Bench_sends_timestamped_padded_deltas()
    {
        await using var sim = await SimTest.StartAsync();
        var before = Stopwatch.GetTimestamp();

        var events = await sim.StreamToEndAsync(SimTest.Body("bench n=200 pace=0 size=40"), DemoAgents.BenchId);

        var after = Stopwatch.GetTimestamp();
        var deltas = events.Where(e => e.MessageType == "assistant_message").Select(e => e.Str("content")!).ToList();
        Assert.HasCount(200, deltas);
        var stamps = deltas.Select(d => long.Parse(d[..d.IndexOf('|')])).ToList();
        Assert.IsTrue(deltas.All(d => d.Length == 40 && d.TrimEnd('x').EndsWith('|')));
        Assert.IsTrue(stamps.All(s => s >= before && s <= after));
        CollectionAssert.AreEqual(stamps.Order().ToList(), stamps);
        Assert.AreEqual(200, events[^2].Json.GetProperty("completion_tokens").GetInt32());
    }

    [TestMethod]
    public async Task Bench_pace_spreads_the_deltas()
    {
        await using var sim = await SimTest.StartAsync();

        var events = await sim.StreamToEndAsync(SimTest.Body("bench n=11 pace=50"), DemoAgents.BenchId);

        var stamps = events.Where(e => e.MessageType == "assistant_message")
            .Select(e => long.Parse(e.Str("content")!.Split('|')[0])).ToList();
        Assert.IsGreaterThanOrEqualTo(TimeSpan.FromMilliseconds(180), Stopwatch.GetElapsedTime(stamps[0], stamps[^1]), "10 intervals at 50/s");
    }

    [TestMethod]
    public async Task Approver_asks_then_acts_or_refrains()
    {
        await using var sim = await SimTest.StartAsync();
        var ask = await sim.StreamToEndAsync(SimTest.Body("please delete /tmp/report.txt"), DemoAgents.ApproverId);
        var requests = ask.Where(e => e.MessageType == "approval_request_message").ToList();
        var callId = requests[0].Json.GetProperty("tool_call").GetProperty("tool_call_id").GetString();
        var approve = await sim.StreamToEndAsync(Approval(callId!, approve: true), DemoAgents.ApproverId);
        var askAgain = await sim.StreamToEndAsync(SimTest.Body("delete /tmp/other.txt", tokens: false), DemoAgents.ApproverId);
        var otherId = askAgain.Single(e => e.MessageType == "approval_request_message").Json.GetProperty("tool_call").GetProperty("tool_call_id").GetString();
        var deny = await sim.StreamToEndAsync(Approval(otherId!, approve: false, reason: "keep it"), DemoAgents.ApproverId);

        Assert.AreEqual("delete_file", requests[0].Json.GetProperty("tool_call").GetProperty("name").GetString());
        Assert.AreEqual("{\"path\": \"/tmp/report.txt\"}", string.Concat(requests.Skip(1).Select(r => r.Json.GetProperty("tool_call").GetProperty("arguments").GetString())));
        Assert.AreEqual("requires_approval", ask[^3].Str("stop_reason"));
        var toolReturn = approve.Single(e => e.MessageType == "tool_return_message");
        Assert.AreEqual(callId, toolReturn.Str("tool_call_id"));
        Assert.AreEqual("Deleted /tmp/report.txt", toolReturn.Str("tool_return"));
        StringAssert.Contains(approve.Concat("assistant_message", "content"), "I deleted `/tmp/report.txt`");
        Assert.IsFalse(deny.Any(e => e.MessageType == "tool_return_message"));
        StringAssert.Contains(deny.Concat("assistant_message", "content"), "did not delete `/tmp/other.txt` (reason: keep it)");
        Assert.AreEqual(callId, sim.Sim.Journal.Messages[1].Approvals.Single().ToolCallId);
    }

    private static string Approval(string callId, bool approve, string? reason = null) => JsonSerializer.Serialize(new
    {
        messages = new[]
        {
            new { type = "approval", approvals = new[] { new { type = "approval", tool_call_id = callId, approve, reason } } },
        },
        streaming = true,
        stream_tokens = true,
    });
}
