namespace LettaSockets.Server.Turns;

/// <summary>
/// The turns of one host (connection), by request id and by agent: admits new turns under the
/// protocol's rules (docs/PROTOCOL.md rule 6: one per agent, <c>max_active_turns</c>), hands out the one terminal
/// frame per request id, and knows every pump still running so teardown can wait for them.
/// </summary>
public sealed class TurnRegistry(int maxActiveTurns)
{
    private readonly Lock _gate = new();
    private readonly Dictionary<string, Turn> _active = new(StringComparer.Ordinal);
    private readonly Dictionary<string, Turn> _latestByAgent = new(StringComparer.Ordinal);
    private readonly HashSet<Turn> _running = [];

    public int ActiveCount
    {
        get
        {
            lock (_gate)
            {
                return _active.Count;
            }
        }
    }

    /// <summary>Admits a turn built by <paramref name="create"/> (given the agent's previous pump if it
    /// is still winding down), or says why not.</summary>
    public AdmitResult TryAdmit(string id, string agentId, Func<Task?, Turn> create)
    {
        lock (_gate)
        {
            if (_active.ContainsKey(id))
            {
                return AdmitResult.Refused(AdmitRefusal.DuplicateId, id);
            }

            _latestByAgent.TryGetValue(agentId, out Turn? latest);
            if (latest is { IsFinished: false })
            {
                return AdmitResult.Refused(AdmitRefusal.Busy, latest.Info.Id);
            }

            if (_active.Count >= maxActiveTurns)
            {
                return AdmitResult.Refused(AdmitRefusal.TooManyTurns, null);
            }

            Turn turn = create(PumpsStillRunning(agentId));
            _active[id] = turn;
            _latestByAgent[agentId] = turn;
            _running.Add(turn);
            return AdmitResult.Admitted(turn);
        }
    }

    /// <summary>
    /// What a new turn of <paramref name="agentId"/> must wait for: every pump of that agent still
    /// winding down. Not only the latest: a turn cancelled while it was itself still waiting stops at
    /// once, and the run it waited for must not be overlapped by the turn after it.
    /// </summary>
    private Task? PumpsStillRunning(string agentId)
    {
        Task? single = null;
        List<Task>? several = null;
        foreach (Turn running in _running)
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
            return _active.GetValueOrDefault(id);
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

            if (_active.TryGetValue(turn.Info.Id, out Turn? current) && ReferenceEquals(current, turn))
            {
                _active.Remove(turn.Info.Id);
            }

            return true;
        }
    }

    /// <summary>Claims the terminal frame of every active turn and returns them (cancel all, teardown).</summary>
    public List<Turn> FinishAll()
    {
        lock (_gate)
        {
            var finished = new List<Turn>(_active.Count);
            foreach (Turn turn in _active.Values)
            {
                if (turn.TryClaimTerminal())
                {
                    finished.Add(turn);
                }
            }

            _active.Clear();
            return finished;
        }
    }

    public void OnPumpStopped(Turn turn)
    {
        lock (_gate)
        {
            _running.Remove(turn);
            if (_latestByAgent.TryGetValue(turn.Info.AgentId, out Turn? latest) && ReferenceEquals(latest, turn))
            {
                _latestByAgent.Remove(turn.Info.AgentId);
            }
        }

        turn.Dispose();
    }

    /// <summary>Every pump still running, for teardown to await.</summary>
    public Task[] RunningPumps()
    {
        lock (_gate)
        {
            return _running.Select(t => t.Pump).ToArray();
        }
    }

    /// <summary>The turns still running (including ones winding down), e.g. for shutdown cursors.</summary>
    public Turn[] RunningTurns()
    {
        lock (_gate)
        {
            return [.. _running];
        }
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
