using LettaSockets.Server.Upstream;

namespace LettaSockets.Server.Turns;

/// <summary>
/// One <c>follow</c> of a connection: asks the upstream every poll interval for the agent's (or
/// conversation's) active resumable runs and hands each run that this connection did not start to
/// <c>attach</c>, once, oldest first. A run is left for the next poll while one of the connection's own
/// turns on the agent has not learnt its run id yet (that run may be it), or while <c>attach</c> could
/// not take it (the agent is busy on the connection).
/// </summary>
public sealed class TurnFollower : IDisposable
{
    private readonly TurnPump _pump;
    private readonly TurnHost _host;
    private readonly OwnRuns _ownRuns;
    private readonly Func<string, bool> _attach;
    private readonly TimeProvider _time;
    private readonly TimeSpan _pollInterval;
    private readonly CancellationTokenSource _stop;
    private readonly HashSet<string> _attached = new(StringComparer.Ordinal);

    public TurnFollower(string agentId, string? conversationId, TurnPump pump, TurnHost host, OwnRuns ownRuns, Func<string, bool> attach, TimeProvider time, TimeSpan pollInterval)
    {
        AgentId = agentId;
        ConversationId = conversationId;
        _pump = pump;
        _host = host;
        _ownRuns = ownRuns;
        _attach = attach;
        _time = time;
        _pollInterval = pollInterval;
        _stop = CancellationTokenSource.CreateLinkedTokenSource(host.Aborted);
    }

    public string AgentId { get; }

    public string? ConversationId { get; }

    /// <summary>Completes when the follow has stopped; never faults.</summary>
    public Task Running { get; private set; } = Task.CompletedTask;

    public void Start() => Running = RunAsync(_stop.Token);

    /// <summary>No more runs are attached; turns already attached run to their end.</summary>
    public void Stop() => _stop.Cancel();

    public void Dispose()
    {
        _stop.Cancel();
        _stop.Dispose();
    }

    /// <summary>One poll: attaches what is new. Returns how many runs were attached.</summary>
    public async Task<int> PollAsync(CancellationToken cancellationToken)
    {
        IReadOnlyList<string> runs;
        try
        {
            runs = await _pump.FindActiveRunsAsync(AgentId, ConversationId, cancellationToken).ConfigureAwait(false);
        }
        catch (UpstreamException)
        {
            return 0; // Letta is unwell: ask again next time
        }

        int attached = 0;
        foreach (string run in runs.Reverse())
        {
            if (_attached.Contains(run) || IsOwn(run) || OwnTurnWithoutRun())
            {
                continue;
            }

            if (_attach(run))
            {
                _attached.Add(run);
                attached++;
            }
        }

        return attached;
    }

    private async Task RunAsync(CancellationToken token)
    {
        try
        {
            while (!token.IsCancellationRequested)
            {
                await PollAsync(token).ConfigureAwait(false);
                await Task.Delay(_pollInterval, _time, token).ConfigureAwait(false);
            }
        }
        catch (Exception e) when (e is OperationCanceledException or ObjectDisposedException)
        {
        }
    }

    private bool IsOwn(string run) =>
        _ownRuns.Contains(run) || _host.RunningTurns().Any(t => !t.Info.Followed && t.Info.RunId == run);

    private bool OwnTurnWithoutRun() =>
        _host.RunningTurns().Any(t => !t.Info.Followed && t.Info.AgentId == AgentId && t.Info.RunId is null && !t.IsFinished);
}

/// <summary>The runs a connection's own turns started (the newest <see cref="Capacity"/>), so its follows skip them.</summary>
public sealed class OwnRuns
{
    public const int Capacity = 256;

    // One connection's record: written when one of its pumps stops, read by its follows, rarely at the same
    // moment, so one lock over a set and its order is enough (a concurrent dictionary took a stripe lock per
    // add and per remove anyway, and cost about 1.4 KiB before holding anything). Made with the first run.
    private readonly Lock _gate = new();
    private HashSet<string>? _runs;
    private Queue<string>? _order;

    public bool Contains(string run)
    {
        lock (_gate)
        {
            return _runs?.Contains(run) == true;
        }
    }

    /// <summary>Remembers the run of a turn the connection started itself (followed turns are not its own).</summary>
    public void Remember(Turn turn)
    {
        if (turn.Info.Followed || turn.Info.RunId is not { } run)
        {
            return;
        }

        lock (_gate)
        {
            if (!(_runs ??= new HashSet<string>(StringComparer.Ordinal)).Add(run))
            {
                return;
            }

            Queue<string> order = _order ??= new Queue<string>();
            order.Enqueue(run);
            if (order.Count > Capacity)
            {
                _runs.Remove(order.Dequeue());
            }
        }
    }
}
