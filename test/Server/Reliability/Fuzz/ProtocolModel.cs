using LettaSockets.Protocol.Json;

namespace LettaSockets.Server.Tests.Reliability.Fuzz;

/// <summary>
/// What the protocol promises for a sequence of client frames (docs/PROTOCOL.md, "The rules a client can rely on"), checked against
/// what one connection received: one terminal frame per request id and nothing of a turn after it;
/// after a cancel was read (proved by the pong of a later ping) nothing more of the cancelled turns;
/// bad frames answered with their own error and nothing else disturbed; no <c>internal</c> error;
/// nothing of an agent outside the key's scope.
/// </summary>
public sealed class ProtocolModel(IReadOnlyList<SentFrame> sent, FuzzWorld world, string connectionId)
{
    private static readonly HashSet<string> Content = ["status", "reasoning", "chunk", "tool_call", "tool_result", "approval_request"];
    private static readonly HashSet<string> ScopeRefusals = ["invalid_agent_id", "agent_not_found", "run_not_found", "conversation_not_found"];

    /// <summary>True once every turn-starting frame has a terminal (or, for a reused id, a refusal) and the last pong is in.</summary>
    public bool IsSettled(IReadOnlyList<ServerFrame> frames) => Unsettled(frames).Length == 0;

    /// <summary>What is still missing, for the failure message.</summary>
    public string Unsettled(IReadOnlyList<ServerFrame> frames)
    {
        var missing = new List<string>();
        foreach (IGrouping<string, SentFrame> byId in TurnStartsWithId().GroupBy(s => s.Id!))
        {
            int terminals = frames.Count(f => f.Id == byId.Key && f.IsTerminal);
            int refusals = frames.Count(f => IsDuplicateRefusal(f, byId.Key));
            if (terminals + refusals < SendsOf(byId.Key) || terminals == 0)
            {
                missing.Add(byId.Key);
            }
        }

        int idless = sent.Count(s => s.Kind == SentKind.TurnStart && s.Id is null);
        int serverAssigned = frames.Count(f => f.IsTerminal && IsServerAssigned(f.Id));
        if (serverAssigned < idless)
        {
            missing.Add($"{idless - serverAssigned} turn(s) without a client id");
        }

        foreach (SentFrame ping in sent.Where(s => s.Kind == SentKind.Ping))
        {
            if (!frames.Any(f => f.Type == "pong" && f.Id == ping.Id))
            {
                missing.Add($"pong {ping.Id}");
            }
        }

        return string.Join(", ", missing);
    }

    public void Check(ServerFrame[] frames)
    {
        CheckNoInternalErrors(frames);
        CheckOneTerminalPerRequest(frames);
        CheckIdlessTurns(frames);
        CheckCancelsAreImmediate(frames);
        CheckBadFrames(frames);
    }

    private static void CheckNoInternalErrors(ServerFrame[] frames)
    {
        ServerFrame? internalError = frames.FirstOrDefault(f => f.Type == "error" && f.Code == "internal");
        Assert.IsNull(internalError, $"no internal error without an injected gateway fault (id {internalError?.Id}: {internalError?.Message})");
    }

    private void CheckOneTerminalPerRequest(ServerFrame[] frames)
    {
        foreach (IGrouping<string, SentFrame> byId in TurnStartsWithId().GroupBy(s => s.Id!))
        {
            string id = byId.Key;
            int[] terminalAt = Positions(frames, f => f.Id == id && f.IsTerminal);
            int refusals = frames.Count(f => IsDuplicateRefusal(f, id));
            SentFrame first = byId.First();
            if (byId.Count() > 1 || sent.Any(s => s.Kind == SentKind.Duplicate && s.Id == id))
            {
                Assert.AreEqual(SendsOf(id), terminalAt.Length + refusals, $"{id}: each send of a reused id gets a terminal frame or a bad_frame refusal");
                continue;
            }

            Assert.AreEqual(1, terminalAt.Length, $"{id}: exactly one terminal frame");
            ServerFrame terminal = frames[terminalAt[0]];
            Assert.IsFalse(frames.Skip(terminalAt[0] + 1).Any(f => f.Id == id), $"{id}: nothing of the turn after its terminal frame");
            if (first.ExpectedCode is { } expected)
            {
                Assert.AreEqual(expected, terminal.Code, $"{id}: refused with {expected}");
            }
            else if (first.Foreign)
            {
                // Refused as if it did not exist — unless refused earlier (busy) or cancelled before the check.
                // Without resumable runs a resume (or resumable message) is refused as not_resumable before any object is looked at.
                bool refused = terminal.Type == "error" && (ScopeRefusals.Contains(terminal.Code!) || terminal.Code is "busy" or "too_many_turns" or "content_too_large"
                    || (!world.Resumable && terminal.Code == "not_resumable"));
                bool cancelled = terminal is { Type: "done", CancelledBy: "client" };
                Assert.IsTrue(refused || cancelled, $"{id}: an object outside the key's scope is refused as missing (was {terminal.Type} {terminal.Code} {terminal.StopReason})");
                Assert.IsFalse(frames.Any(f => f.Id == id && Content.Contains(f.Type) && f.Type != "status"), $"{id}: no content of a foreign object reaches the client");
            }
            else if (terminal.Type == "error")
            {
                Assert.IsTrue(IsExpectedError(first, terminal), $"{id}: unexpected error {terminal.Code} ({terminal.Message}; {terminal.Detail}) for {first.Step}");
            }
        }
    }

    private void CheckIdlessTurns(ServerFrame[] frames)
    {
        int idless = sent.Count(s => s.Kind == SentKind.TurnStart && s.Id is null);
        ServerFrame[] terminals = frames.Where(f => f.IsTerminal && IsServerAssigned(f.Id)).ToArray();
        Assert.AreEqual(idless, terminals.Length, "each turn without a client id gets one terminal frame under its assigned id");
        Assert.AreEqual(idless, terminals.Select(f => f.Id).Distinct().Count(), "assigned ids are unique");
        int foreign = sent.Count(s => s.Kind == SentKind.TurnStart && s.Id is null && s.Foreign);
        // A foreign turn may also end busy or cancelled before its check; what reaches Letta is checked in the journal.
        Assert.IsTrue(terminals.Count(t => t.Type == "error" && ScopeRefusals.Contains(t.Code!)) <= foreign, "only turns without id for a foreign object are refused as missing");
        foreach (ServerFrame terminal in terminals.Where(t => t.Type == "error" && !ScopeRefusals.Contains(t.Code!)))
        {
            bool expected = terminal.Code is "busy" or "too_many_turns" || world.FailureCodes.Contains(terminal.Code!) || (!world.Resumable && terminal.Code == "not_resumable");
            Assert.IsTrue(expected, $"{terminal.Id}: unexpected error {terminal.Code} for a turn without id");
        }
    }

    /// <summary>
    /// The server reads frames in order, so the pong of a ping sent after a cancel proves the cancel
    /// was read: from that pong on, nothing more of the cancelled turns may arrive, and a
    /// turn the cancel ended has its <c>done</c> before it.
    /// </summary>
    private void CheckCancelsAreImmediate(ServerFrame[] frames)
    {
        HashSet<string> reused = sent.Where(s => s.Kind == SentKind.Duplicate).Select(s => s.Id!).ToHashSet();
        foreach (SentFrame cancel in sent.Where(s => s.Kind is SentKind.Cancel or SentKind.CancelAll))
        {
            SentFrame? ping = sent.FirstOrDefault(s => s.Kind == SentKind.Ping && s.Order > cancel.Order);
            if (ping is null)
            {
                continue;
            }

            int pong = Array.FindIndex(frames, f => f.Type == "pong" && f.Id == ping.Id);
            IEnumerable<SentFrame> targets = sent.Where(s => s.Kind == SentKind.TurnStart && s.Id is not null && s.Order < cancel.Order && !reused.Contains(s.Id!)
                && (cancel.Kind == SentKind.CancelAll || s.Id == cancel.Id));
            foreach (SentFrame target in targets)
            {
                int done = Array.FindIndex(frames, f => f.Id == target.Id && f.Type == "done" && f.CancelledBy == "client");
                if (done >= 0)
                {
                    Assert.IsTrue(done < pong, $"{target.Id}: the done of a cancel comes before the pong of a later ping");
                }

                Assert.IsFalse(frames.Skip(pong + 1).Any(f => f.Id == target.Id && Content.Contains(f.Type)),
                    $"{target.Id}: no content after its cancel was read (pong {ping.Id})");
            }
        }
    }

    private void CheckBadFrames(ServerFrame[] frames)
    {
        int Sent(BadFrame kind) => sent.Count(s => s.Step is SendBad b && b.Kind == kind);
        int Anonymous(string code) => frames.Count(f => f.Type == "error" && f.Id is null && f.Code == code && f.Detail is null);
        Assert.AreEqual(Sent(BadFrame.Binary), Anonymous("unsupported_frame"), "one unsupported_frame per binary frame");
        Assert.AreEqual(Sent(BadFrame.Oversized), Anonymous("frame_too_large"), "one frame_too_large per oversized frame");
        Assert.AreEqual(Sent(BadFrame.BrokenJson), Anonymous("bad_frame"), "one bad_frame per broken JSON frame");
        foreach (SentFrame bad in sent.Where(s => s.Kind == SentKind.Bad && s.Id is not null))
        {
            ServerFrame[] answers = frames.Where(f => f.Id == bad.Id).ToArray();
            string expected = ((SendBad)bad.Step).Kind == BadFrame.UnknownType ? "unknown_type" : "bad_frame";
            Assert.AreEqual(1, answers.Length, $"{bad.Id}: one answer");
            Assert.AreEqual(expected, answers[0].Code, $"{bad.Id}: refused as {expected}");
        }
    }

    /// <summary>The run id this instance of the request id had before its terminal at <paramref name="terminal"/>
    /// (a reused id starts a new instance after the previous terminal).</summary>
    public static string? RunIdBefore(ServerFrame[] frames, int terminal)
    {
        string? id = frames[terminal].Id;
        for (int i = terminal - 1; i >= 0 && !(frames[i].Id == id && frames[i].IsTerminal); i--)
        {
            if (frames[i].Id == id && frames[i].RunId is { } runId)
            {
                return runId;
            }
        }

        return null;
    }

    private bool IsExpectedError(SentFrame turn, ServerFrame terminal)
    {
        bool failing = turn.AgentId == world.Agents[2] && world.FailureCodes.Contains(terminal.Code!);
        return turn.Step switch
        {
            SendMessage m => terminal.Code is "busy" or "too_many_turns" || failing || (m.Resumable && !world.Resumable && terminal.Code == "not_resumable"),
            SendResume => terminal.Code is "busy" or "too_many_turns" or "run_not_found" or "not_resumable" or "run_expired" || failing,
            SendApprove => terminal.Code is "busy" or "too_many_turns" or "upstream_rejected" or "agent_error",
            _ => false,
        };
    }

    private int SendsOf(string id) => sent.Count(s => s.Kind is SentKind.TurnStart or SentKind.Duplicate && s.Id == id);

    private IEnumerable<SentFrame> TurnStartsWithId() => sent.Where(s => s.Kind == SentKind.TurnStart && s.Id is not null);

    private bool IsServerAssigned(string? id) => id is not null && id.StartsWith(connectionId + "-", StringComparison.Ordinal);

    private static bool IsDuplicateRefusal(ServerFrame f, string id) => f.Type == "error" && f.Id is null && f.Code == "bad_frame" && f.Detail == id;

    private static int[] Positions(ServerFrame[] frames, Func<ServerFrame, bool> match) =>
        Enumerable.Range(0, frames.Length).Where(i => match(frames[i])).ToArray();
}
