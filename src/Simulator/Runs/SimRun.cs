using LettaSockets.Simulator.Runs;

namespace LettaSockets.Simulator;

/// <summary>
/// One run (foreground or background): its status as <c>GET /v1/runs/{id}</c> reports it, and the frames
/// it produced (all of them for background runs; the first <see cref="ForegroundRetention"/> otherwise).
/// </summary>
public sealed class SimRun
{
    /// <summary>How many frames of a foreground run are kept for inspection.</summary>
    public const int ForegroundRetention = 10_000;

    private readonly object _gate = new();
    private readonly TaskCompletionSource _completion = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private readonly IRunTracker _tracker;
    private SimRunStatus _status = SimRunStatus.Created;

    internal SimRun(string id, string agentId, RunMode mode, bool streamTokens, DateTimeOffset createdAt, IRunTracker tracker)
    {
        Id = id;
        AgentId = agentId;
        Background = mode == RunMode.Background;
        Streaming = mode != RunMode.Blocking;
        StreamTokens = streamTokens;
        CreatedAt = createdAt;
        _tracker = tracker;
        Log = new RunLog(Background ? int.MaxValue : ForegroundRetention);
    }

    public string Id { get; }

    public string AgentId { get; }

    public bool Background { get; }

    public bool Streaming { get; }

    public bool StreamTokens { get; }

    public DateTimeOffset CreatedAt { get; }

    /// <summary>
    /// The conversation the run belongs to (<c>conv-…</c>), as <c>GET /v1/runs/{id}</c> reports it; null for
    /// the agent routes and for the default conversation (Letta stores none for agent-direct sends).
    /// </summary>
    public string? ConversationId { get; internal init; }

    /// <summary>The otids of the request's input messages (Letta's concurrency and otids: the conversation re-attach can look runs up by one).</summary>
    public IReadOnlyList<string> Otids { get; internal init; } = [];

    /// <summary>
    /// The conversation lock the run holds while active (Letta's concurrency and otids): the conversation id, or the agent id for a
    /// send to the default conversation; null when it holds none (the agent routes take no lock).
    /// </summary>
    internal string? LockKey { get; init; }

    public SimRunStatus Status
    {
        get
        {
            lock (_gate)
            {
                return _status;
            }
        }
    }

    public string? StopReason { get; private set; }

    public DateTimeOffset? CompletedAt { get; private set; }

    /// <summary>Nanoseconds from the start of the run to its first agent message.</summary>
    public long? TtftNs { get; private set; }

    public long? TotalDurationNs { get; private set; }

    /// <summary>Created or running.</summary>
    public bool IsActive => Status is SimRunStatus.Created or SimRunStatus.Running;

    public IReadOnlyList<RunChunk> Chunks => Log.Snapshot();

    /// <summary>Completes when the run has stopped producing output (whatever its final status).</summary>
    public Task Completion => _completion.Task;

    internal RunLog Log { get; }

    internal bool CancelRequested => Status == SimRunStatus.Cancelled;

    internal bool TryStart()
    {
        lock (_gate)
        {
            if (_status != SimRunStatus.Created)
            {
                return false;
            }

            _status = SimRunStatus.Running;
        }

        _tracker.RunStarted(AgentId);
        return true;
    }

    /// <summary>Marks the run cancelled at once, as Letta's cancel endpoint does; the run notices later (Letta's cancellation).</summary>
    internal bool RequestCancel(DateTimeOffset now) => TryFinish(SimRunStatus.Cancelled, "cancelled", now);

    internal void MarkFirstMessage(long elapsedNs)
    {
        lock (_gate)
        {
            TtftNs ??= elapsedNs;
        }
    }

    /// <summary>Records the final status (unless a cancel got there first) and completes <see cref="Completion"/>.</summary>
    internal void Finish(SimRunStatus status, string stopReason, DateTimeOffset now, long totalNs)
    {
        TryFinish(status, stopReason, now);
        lock (_gate)
        {
            TotalDurationNs = totalNs;
        }

        Log.Complete();
        _completion.TrySetResult();
    }

    private bool TryFinish(SimRunStatus status, string stopReason, DateTimeOffset now)
    {
        bool wasRunning;
        lock (_gate)
        {
            if (_status is not (SimRunStatus.Created or SimRunStatus.Running))
            {
                return false;
            }

            wasRunning = _status == SimRunStatus.Running;
            _status = status;
            StopReason = stopReason;
            CompletedAt = now;
        }

        if (wasRunning)
        {
            _tracker.RunStopped(AgentId);
        }

        return true;
    }
}
