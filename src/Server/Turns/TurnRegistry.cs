namespace LettaSockets.Server.Turns;

/// <summary>
/// The turns of one host (connection), by request id and by agent: admits new turns under the
/// protocol's rules (docs/PROTOCOL.md rule 6: one per agent, <c>max_active_turns</c>), hands out the one terminal
/// frame per request id, and knows every pump still running so teardown can wait for them.
/// </summary>
public sealed class TurnRegistry(int maxActiveTurns)
{
    private readonly Lock _gate = new();

    /// <summary>Made by the first turn and dropped when the last one has finished and stopped: most connections
    /// are idle most of the time, and an idle one then holds no tables (≈ 250 B each).</summary>
    private Tables? _tables;

    public int ActiveCount
    {
        get
        {
            lock (_gate)
            {
                return _tables?.Active.Count ?? 0;
            }
        }
    }

    /// <summary>Admits a turn built by <paramref name="create"/> (given the agent's previous pump if it
    /// is still winding down), or says why not.</summary>
    public AdmitResult TryAdmit(string id, string agentId, Func<Task?, Turn> create)
    {
        lock (_gate)
        {
            Tables tables = _tables ??= new Tables();
            if (tables.Active.ContainsKey(id))
            {
                return AdmitResult.Refused(AdmitRefusal.DuplicateId, id);
            }

            tables.LatestByAgent.TryGetValue(agentId, out Turn? latest);
            if (latest is { IsFinished: false })
            {
                return AdmitResult.Refused(AdmitRefusal.Busy, latest.Info.Id);
            }

            if (tables.Active.Count >= maxActiveTurns)
            {
                return AdmitResult.Refused(AdmitRefusal.TooManyTurns, null);
            }

            Turn turn = create(PumpsStillRunning(tables.Running, agentId));
            tables.Active[id] = turn;
            tables.LatestByAgent[agentId] = turn;
            tables.Running.Add(turn);
            return AdmitResult.Admitted(turn);
        }
    }

    /// <summary>
    /// What a new turn of <paramref name="agentId"/> must wait for: every pump of that agent still
    /// winding down. Not only the latest: a turn cancelled while it was itself still waiting stops at
    /// once, and the run it waited for must not be overlapped by the turn after it.
    /// </summary>
    private static Task? PumpsStillRunning(HashSet<Turn> runningTurns, string agentId)
    {
        Task? single = null;
        List<Task>? several = null;
        foreach (Turn running in runningTurns)
        {
            if (running.Pump.IsCompleted || !string.Equals(running.Info.AgentId, agentId, StringComparison.Ordinal))
            {
                continue;
            }

            if (single is null)
            {
                single = running.Pump;
            }
            else
            {
                (several ??= [single]).Add(running.Pump);
            }
        }

        return several is null ? single : Task.WhenAll(several);
    }

    public Turn? Find(string id)
    {
        lock (_gate)
        {
            return _tables?.Active.GetValueOrDefault(id);
        }
    }

    /// <summary>Claims <paramref name="turn"/>'s terminal frame; the turn stops counting as active.</summary>
    public bool TryFinish(Turn turn)
    {
        lock (_gate)
        {
            if (!turn.TryClaimTerminal())
            {
                return false;
            }

            if (_tables is { } tables && tables.Active.TryGetValue(turn.Info.Id, out Turn? current) && ReferenceEquals(current, turn))
            {
                tables.Active.Remove(turn.Info.Id);
                DropIfEmpty();
            }

            return true;
        }
    }

    /// <summary>Claims the terminal frame of every active turn and returns them (cancel all, teardown).</summary>
    public List<Turn> FinishAll()
    {
        lock (_gate)
        {
            if (_tables is not { } tables)
            {
                return [];
            }

            var finished = new List<Turn>(tables.Active.Count);
            foreach (Turn turn in tables.Active.Values)
            {
                if (turn.TryClaimTerminal())
                {
                    finished.Add(turn);
                }
            }

            tables.Active.Clear();
            DropIfEmpty();
            return finished;
        }
    }

    public void OnPumpStopped(Turn turn)
    {
        lock (_gate)
        {
            if (_tables is { } tables)
            {
                tables.Running.Remove(turn);
                if (tables.LatestByAgent.TryGetValue(turn.Info.AgentId, out Turn? latest) && ReferenceEquals(latest, turn))
                {
                    tables.LatestByAgent.Remove(turn.Info.AgentId);
                }

                DropIfEmpty();
            }
        }

        turn.Dispose();
    }

    /// <summary>Every pump still running, for teardown to await.</summary>
    public Task[] RunningPumps()
    {
        lock (_gate)
        {
            return _tables is null ? [] : _tables.Running.Select(t => t.Pump).ToArray();
        }
    }

    /// <summary>The turns still running (including ones winding down), e.g. for shutdown cursors.</summary>
    public Turn[] RunningTurns()
    {
        lock (_gate)
        {
            return _tables is null ? [] : [.. _tables.Running];
        }
    }

    /// <summary>Under the gate: no turn left in any table (finished and its pump stopped).</summary>
    private void DropIfEmpty()
    {
        if (_tables is { Active.Count: 0, LatestByAgent.Count: 0, Running.Count: 0 })
        {
            _tables = null;
        }
    }

    private sealed class Tables
    {
        public Dictionary<string, Turn> Active { get; } = new(StringComparer.Ordinal);

        public Dictionary<string, Turn> LatestByAgent { get; } = new(StringComparer.Ordinal);

        public HashSet<Turn> Running { get; } = [];
    }
}

/// <summary>Why a turn was not admitted.</summary>
public enum AdmitRefusal
{
    None,
    DuplicateId,
    Busy,
    TooManyTurns,
}

/// <summary>The result of <see cref="TurnRegistry.TryAdmit"/>.</summary>
public readonly record struct AdmitResult(Turn? Turn, AdmitRefusal Refusal, string? Detail)
{
    public static AdmitResult Admitted(Turn turn) => new(turn, AdmitRefusal.None, null);

    public static AdmitResult Refused(AdmitRefusal refusal, string? detail) => new(null, refusal, detail);
}
