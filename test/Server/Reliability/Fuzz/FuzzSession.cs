using System.Net.WebSockets;
using CsCheck;
using System.Text.Json;
using LettaSockets.Protocol.Json;
using Microsoft.Extensions.DependencyInjection;

namespace LettaSockets.Server.Tests.Reliability.Fuzz;

/// <summary>
/// Plays one generated sequence on a fresh connection, waits (bounded) until every turn it started
/// has its terminal frame, then judges what came back with <see cref="ProtocolModel"/>.
/// </summary>
public sealed class FuzzSession
{
    private const string MissingRun = "run-00000000-0000-4000-8000-000000000000";
    private readonly FuzzWorld _world;
    private readonly List<SentFrame> _sent = [];
    private FuzzConnection _connection = null!;

    private FuzzSession(FuzzWorld world) => _world = world;

    /// <summary>Plays generated sequences on <paramref name="world"/> for <paramref name="budget"/> (CsCheck
    /// shrinks a failing one and prints its seed) and returns how many frames were sent.</summary>
    public static async Task<long> SampleAsync(FuzzWorld world, Gen<FuzzStep[]> sequences, FuzzBudget budget, Action<string> log)
    {
        long frames = 0;
        async Task PlayAsync(FuzzStep[] steps)
        {
            Interlocked.Add(ref frames, steps.Count(s => s is not Pause));
            await RunAsync(world, steps);
        }

        await budget.SampleAsync(sequences, PlayAsync, log, steps => string.Join("\n", steps.Select(s => s.ToString())));
        return frames;
    }

    public static async Task RunAsync(FuzzWorld world, FuzzStep[] steps)
    {
        var session = new FuzzSession(world);
        await session.PlayAsync(steps);
    }

    private async Task PlayAsync(FuzzStep[] steps)
    {
        // A sequence that failed may have left turns winding down: they end before this one starts, so nothing of theirs counts here.
        Assert.IsTrue(await _world.Gauges.WaitUntilAsync(g => g.Idle, TimeSpan.FromSeconds(30)), $"the gateway is idle before the sequence ({_world.Gauges.Connections} connections, {_world.Gauges.Turns} turns)");
        int foreignInputsBefore = _world.ForeignInputs();
        int foreignCancelsBefore = _world.ForeignCancels();
        _connection = await FuzzConnection.ConnectAsync(_world.Gateway.WebSocketUri(_world.Agents[0]), FuzzWorld.ScopedKey);
        string connectionId;
        try
        {
            Assert.IsTrue(await _connection.WaitForAsync(f => f.Count > 0, TimeSpan.FromSeconds(15)), "ready arrives");
            ServerFrame ready = _connection.Snapshot()[0];
            Assert.AreEqual("ready", ready.Type);
            connectionId = ready.ConnectionId!;

            for (int i = 0; i < steps.Length; i++)
            {
                await PlayAsync(steps[i], i);
            }

            var barrier = new SentFrame(steps.Length, SentKind.Ping, "ping-final", new SendPing());
            _sent.Add(barrier);
            await _connection.SendTextAsync("{\"type\":\"ping\",\"id\":\"ping-final\"}");
            var model = new ProtocolModel(_sent, _world, connectionId);
            bool settled = await _connection.WaitForAsync(model.IsSettled, TimeSpan.FromSeconds(30));
            ServerFrame[] frames = _connection.Snapshot();
            Assert.IsFalse(_connection.Closed, $"the connection stays open (closed {_connection.CloseStatus})\n{Describe(frames)}");
            Assert.IsTrue(settled, $"every turn-starting frame got its terminal frame in time: {model.Unsettled(frames)}\n{Describe(frames)}\nGateway log of this connection:\n{_world.ConnectionLog(connectionId)}");
            model.Check(frames);
            await _world.CheckCancelsReachedUpstreamAsync(frames, _connection.ArrivalTimes());
            await _world.CheckUpstreamIdleAsync(AgentsUsed());
        }
        finally
        {
            await _connection.DisposeAsync();
        }

        // Every pump stopped once the connection is gone: the active-turn gauge is back where it was.
        Assert.IsTrue(await _world.Gauges.WaitUntilAsync(g => g.Connections == 0, TimeSpan.FromSeconds(30)), "the connection is gone on the server");
        Assert.AreEqual(0, _world.Gauges.Turns, "every turn's pump stopped");
        Assert.AreEqual(0, _world.Gauges.Buffered, "every byte buffered for the client was given back");
        Assert.AreEqual(foreignInputsBefore, _world.ForeignInputs(), "nothing reached the agent outside the key's scope");
        Assert.AreEqual(foreignCancelsBefore, _world.ForeignCancels(), "nothing of the agent outside the key's scope was cancelled");
    }

    /// <summary>The key's agents this sequence started turns on (plain text and the seed's shorthand go to agent 0).</summary>
    private int[] AgentsUsed() =>
        _sent.Where(s => s.Kind == SentKind.TurnStart && s.AgentId is not null && !s.Foreign)
            .Select(s => Array.IndexOf(_world.Agents, s.AgentId))
            .Where(i => i is >= 0 and < FuzzGenerators.Agents)
            .Distinct()
            .ToArray();

    private async Task PlayAsync(FuzzStep step, int order)
    {
        switch (step)
        {
            case Pause pause:
                if (pause.Milliseconds > 0)
                {
                    await Task.Delay(pause.Milliseconds); // the generated timing between frames, not a wait for state
                }

                break;
            case SendPing:
                await SendJsonAsync(new SentFrame(order, SentKind.Ping, $"ping{order}", step), new { type = "ping", id = $"ping{order}" });
                break;
            case SendMessage message:
                await SendMessageAsync(message, order);
                break;
            case SendCancel cancel:
                await SendCancelAsync(cancel, order);
                break;
            case SendDuplicate duplicate when TurnWithClientId(duplicate.Target) is { } target:
                await SendJsonAsync(new SentFrame(order, SentKind.Duplicate, target.Id, step) { AgentId = target.AgentId },
                    new { type = "message", id = target.Id, content = "again", agent_id = target.AgentId ?? _world.Agents[0] });
                break;
            case SendResume resume:
                await SendResumeAsync(resume, order);
                break;
            case SendApprove approve:
                await SendApproveAsync(approve, order);
                break;
            case SendBad bad:
                await SendBadAsync(bad, order);
                break;
        }
    }

    private Task SendMessageAsync(SendMessage message, int order)
    {
        string agent = _world.Agents[message.Agent];
        bool foreign = message.Agent == FuzzGenerators.ForeignAgent;
        string? conversation = message.ForeignConversation ? _world.ForeignConversationId : null;
        foreign |= conversation is not null;
        switch (message.Shape)
        {
            case MessageShape.PlainText:
                return SendRawAsync(new SentFrame(order, SentKind.TurnStart, null, message) { AgentId = _world.Agents[0] }, "hello there");
            case MessageShape.SeedShorthand:
                return SendRawAsync(new SentFrame(order, SentKind.TurnStart, null, message) { AgentId = _world.Agents[0] }, "{\"message\":\"hello\"}");
        }

        string? id = message.Shape == MessageShape.WithoutId ? null : $"m{order}";
        string content = message.Shape == MessageShape.ContentTooLarge ? new string('x', FuzzWorld.MaxContentChars + 1) : _world.ContentFor(message.Agent, foreign);
        var frame = new Dictionary<string, object?> { ["type"] = "message", ["content"] = content, ["agent_id"] = agent };
        if (id is not null)
        {
            frame["id"] = id;
        }

        if (message.Resumable)
        {
            frame["resumable"] = true;
        }

        if (conversation is not null)
        {
            frame["conversation_id"] = conversation;
        }

        return SendJsonAsync(new SentFrame(order, SentKind.TurnStart, id, message)
        {
            AgentId = agent,
            Foreign = foreign,
            ExpectedCode = message.Shape == MessageShape.ContentTooLarge && !foreign ? "content_too_large" : null,
        }, frame);
    }

    private Task SendCancelAsync(SendCancel cancel, int order)
    {
        if (cancel.Target is null)
        {
            return SendJsonAsync(new SentFrame(order, SentKind.CancelAll, null, cancel), new { type = "cancel" });
        }

        string id = !cancel.UnknownId && TurnWithClientId(cancel.Target.Value) is { } target ? target.Id! : $"nobody{order}";
        return SendJsonAsync(new SentFrame(order, SentKind.Cancel, id, cancel), new { type = "cancel", id });
    }

    private Task SendResumeAsync(SendResume resume, int order)
    {
        SentFrame? target = TurnWithClientId(resume.Target);
        (string run, string agent, bool foreign) = resume.Run switch
        {
            ResumeTarget.Own when target is not null && RunIdOf(target.Id!) is { } own => (own, target.AgentId ?? _world.Agents[0], false),
            ResumeTarget.Foreign when _world.ForeignRunId is { } foreignRun => (foreignRun, _world.Agents[0], true),
            _ => (MissingRun, _world.Agents[0], false),
        };
        string id = $"r{order}";
        return SendJsonAsync(new SentFrame(order, SentKind.TurnStart, id, resume) { AgentId = agent, Foreign = foreign },
            new { type = "resume", id, run_id = run, after_seq = resume.AfterSeq, agent_id = agent });
    }

    private Task SendApproveAsync(SendApprove approve, int order)
    {
        SentFrame? target = TurnWithClientId(approve.Target);
        string? call = approve.KnownCall && target is not null ? ApprovalCallOf(target.Id!) : null;
        string agent = call is not null ? target!.AgentId! : _world.Agents[3];
        string id = $"p{order}";
        return SendJsonAsync(new SentFrame(order, SentKind.TurnStart, id, approve) { AgentId = agent },
            new { type = "approve", id, tool_call_id = call ?? $"call-bogus-{order}", approve = approve.Approve, agent_id = agent });
    }

    private Task SendBadAsync(SendBad bad, int order)
    {
        var sent = new SentFrame(order, SentKind.Bad, bad.Kind is BadFrame.UnknownType or BadFrame.WrongFieldType ? $"bad{order}" : null, bad);
        _sent.Add(sent);
        return bad.Kind switch
        {
            BadFrame.BrokenJson => _connection.SendTextAsync("{\"type\":\"message\",\"content\":"),
            BadFrame.UnknownType => _connection.SendTextAsync($"{{\"type\":\"dance\",\"id\":\"{sent.Id}\"}}"),
            BadFrame.WrongFieldType => _connection.SendTextAsync($"{{\"type\":\"message\",\"id\":\"{sent.Id}\",\"content\":42}}"),
            BadFrame.Binary => _connection.SendAsync([1, 2, 3], WebSocketMessageType.Binary),
            _ => _connection.SendTextAsync("{\"type\":\"message\",\"content\":\"" + new string('y', FuzzWorld.MaxFrameBytes) + "\"}"),
        };
    }

    /// <summary>The earlier turn-starting frame with a client id that <paramref name="target"/> names.</summary>
    private SentFrame? TurnWithClientId(int target)
    {
        SentFrame[] turns = _sent.Where(s => s.Kind == SentKind.TurnStart && s.Id is not null).ToArray();
        return turns.Length == 0 ? null : turns[target % turns.Length];
    }

    private string? RunIdOf(string id) => _connection.Snapshot().FirstOrDefault(f => f.Id == id && f.RunId is not null)?.RunId;

    private string? ApprovalCallOf(string id) => _connection.Snapshot().LastOrDefault(f => f.Id == id && f.Type == "approval_request")?.ToolCallId;

    private Task SendJsonAsync(SentFrame sent, object frame)
    {
        _sent.Add(sent);
        return _connection.SendTextAsync(JsonSerializer.Serialize(frame));
    }

    private Task SendRawAsync(SentFrame sent, string text)
    {
        _sent.Add(sent);
        return _connection.SendTextAsync(text);
    }

    private static string Describe(ServerFrame[] frames) =>
        string.Join("\n", frames.Select(f => $"  {f.Type} id={f.Id} agent={f.AgentId} run={f.RunId} status={f.Status} code={f.Code} stop={f.StopReason} by={f.CancelledBy} detail={f.Detail}"));
}
