using System.Collections.Concurrent;
using System.Text.Json;
using LettaSockets.Protocol.Frames;
using LettaSockets.Server.Observability;
using LettaSockets.Server.Upstream;
using Microsoft.Extensions.Options;
using Polly;
using Polly.Retry;

namespace LettaSockets.Server.AppServer;

/// <summary>
/// The Letta Code App Server adapter (<c>letta server</c>, reference: App Server). One multiplexed
/// WebSocket carries every turn of this gateway instance: App Server state — subscriptions, the
/// ownership of turns, queues — is per socket, so a single socket keeps aborts and approvals on the
/// socket that owns the turn, and one connection is what the App Server's own clients use. It is
/// kept open across client reconnects and re-opened with backoff (Polly) when it drops; a drop fails
/// every active turn at once with <c>upstream_unavailable</c>.
/// <para>Busy: the App Server would queue a second input for a busy conversation and later merge it
/// with others into one turn. The gateway refuses that turn with <c>busy</c> instead — from any
/// socket of this instance — as Letta's HTTP API does.</para>
/// </summary>
public sealed partial class AppServerUpstream : IUpstream, IHostedService, IAsyncDisposable
{
    private static readonly HashSet<string> s_knownBroadcasts = new(StringComparer.Ordinal)
    {
        "stream_delta", "turn_finished", "control_request", "update_loop_status", "update_device_status", "update_queue",
        "update_subagent_state", "skills_updated", "crons_updated", "memory_updated", "file_changed",
    };

    private readonly Uri _url;
    private readonly string? _token;
    private readonly LettaOptions _letta;
    private readonly AppServerOptions _options;
    private readonly TimeProvider _time;
    private readonly LettaSocketsMetrics _metrics;
    private readonly ILogger<AppServerUpstream> _logger;
    private readonly ResiliencePipeline _reconnect;
    private readonly ConcurrentDictionary<RuntimeKey, RuntimeSlot> _runtimes = new();
    private readonly ConcurrentDictionary<string, bool> _loggedIgnored = new(StringComparer.Ordinal);
    private readonly CancellationTokenSource _stopping = new();
    private readonly Lock _gate = new();
    private TaskCompletionSource<AppServerSocket> _connected = new(TaskCreationOptions.RunContinuationsAsynchronously);
    private AppServerSocket? _socket;
    private UpstreamException? _lastFailure;
    private long _nextAttemptAt;
    private long _generation;
    private string _serverDescription = "not connected";
    private Task _maintain = Task.CompletedTask;
    private int _stopped;

    public AppServerUpstream(IOptions<LettaOptions> letta, IOptions<AppServerOptions> options, TimeProvider time, LettaSocketsMetrics metrics, ILogger<AppServerUpstream> logger)
    {
        _letta = letta.Value;
        _options = options.Value;
        _url = new Uri(_letta.BaseUrl!);
        _token = _letta.ApiKey;
        _time = time;
        _metrics = metrics;
        _logger = logger;
        _reconnect = new ResiliencePipelineBuilder { TimeProvider = time }
            .AddRetry(new RetryStrategyOptions
            {
                ShouldHandle = new PredicateBuilder().Handle<UpstreamException>(),
                MaxRetryAttempts = int.MaxValue,
                BackoffType = DelayBackoffType.Exponential,
                UseJitter = true,
                Delay = _options.ReconnectBaseDelay,
                MaxDelay = _options.ReconnectMaxDelay,
                OnRetry = args =>
                {
                    Interlocked.Exchange(ref _nextAttemptAt, _time.GetTimestamp() + (long)(args.RetryDelay.TotalSeconds * _time.TimestampFrequency));
                    return default;
                },
            })
            .Build();
    }

    public UpstreamCapabilities Capabilities { get; } = new(ResumableRuns: false, Conversations: true, Approvals: true) { ReportsToolStart = true };

    /// <summary>Whether the upstream socket is open (for tests and readiness).</summary>
    public bool IsConnected => _socket is { IsOpen: true };

    /// <summary>Opens the upstream socket in the background: the gateway starts even when the App Server is down.</summary>
    public Task StartAsync(CancellationToken cancellationToken)
    {
        _maintain = Task.Run(() => MaintainAsync(_stopping.Token), CancellationToken.None);
        return Task.CompletedTask;
    }

    public async Task StopAsync(CancellationToken cancellationToken)
    {
        if (Interlocked.Exchange(ref _stopped, 1) == 0)
        {
            await _stopping.CancelAsync().ConfigureAwait(false);
        }

        await _maintain.WaitAsync(cancellationToken).ConfigureAwait(ConfigureAwaitOptions.SuppressThrowing);
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync(CancellationToken.None).ConfigureAwait(false);
    }

    public async Task<IUpstreamStream> OpenStreamAsync(LettaTurnRequest request, CancellationToken cancellationToken)
    {
        AppServerSocket socket = await ConnectedAsync(cancellationToken).ConfigureAwait(false);
        if (request.ApprovalToolCallId is { } toolCallId)
        {
            return await ContinueAsync(socket, request, toolCallId, cancellationToken).ConfigureAwait(false);
        }

        RuntimeKey runtime = RuntimeKey.For(request.AgentId, request.ConversationId);
        RuntimeSlot slot;
        AppServerTurn turn;
        while (true)
        {
            slot = _runtimes.GetOrAdd(runtime, static _ => new RuntimeSlot());
            lock (slot.Gate)
            {
                if (slot.Retired)
                {
                    continue; // pruned a moment ago: take the runtime's new slot
                }

                if (slot.Turn is { } active)
                {
                    throw Busy(active);
                }

                turn = NewTurn(runtime, request.TurnId ?? request.Otid, socket);
                slot.Turn = turn;
                break;
            }
        }

        bool sent = false;
        try
        {
            await StartRuntimeAsync(socket, runtime, slot, cancellationToken).ConfigureAwait(false);
            await SettleAsync(slot, cancellationToken).ConfigureAwait(false);
            string requestId = socket.NextRequestId("in");
            sent = true;

            // A fresh client_message_id per input, not the turn's otid: the otid is derived from the request id,
            // which a client may reuse once its turn ended, and the App Server acknowledges an input whose id it
            // still remembers (for a while after that turn finished) as "started" without running it.
            string clientMessageId = Guid.CreateVersion7().ToString();
            JsonElement ack = await socket.RequestAsync(requestId, AppServerCommands.Message(requestId, runtime, request.Content ?? string.Empty, clientMessageId, _options), _options.AckTimeout, cancellationToken).ConfigureAwait(false);
            if (!Bool(ack, "accepted"))
            {
                throw new UpstreamException(ErrorCodes.UpstreamRejected, "The App Server refused the message.", false, null, Detail(ack));
            }

            return new AppServerStream(turn, this, _letta.IdleTimeout, _options.HeartbeatInterval, _time);
        }
        catch (Exception e)
        {
            if (sent)
            {
                // The input may be running although its answer never came: stop it before the
                // runtime is free for the next turn (commands are sent in order).
                socket.Send(AppServerCommands.Abort(socket.NextRequestId("ab"), runtime));
            }

            turn.Fail(e as UpstreamException ?? new UpstreamException(ErrorCodes.UpstreamUnavailable, "The turn could not be started.", true));
            throw;
        }
    }

    public Task<IUpstreamStream> ResumeStreamAsync(string runId, long afterSeq, CancellationToken cancellationToken) =>
        throw NotResumable();

    public Task<IUpstreamStream> ResumeTurnStreamAsync(string agentId, string? conversationId, string otid, long afterSeq, CancellationToken cancellationToken) =>
        throw NotResumable();

    /// <summary>The App Server keeps conversations per agent but has no command to list or create them
    /// for a client (they are made by sending to a new id).</summary>
    public Task<IReadOnlyList<ConversationSummary>> ListConversationsAsync(string agentId, int limit, CancellationToken cancellationToken) =>
        throw NoConversationRoutes();

    public Task<ConversationSummary> CreateConversationAsync(string agentId, string? summary, CancellationToken cancellationToken) =>
        throw NoConversationRoutes();

    /// <summary>The App Server keeps history in its own store, with no command to read it back for a client.</summary>
    public Task<HistoryPage> ListMessagesAsync(string agentId, string? conversationId, int limit, string? before, CancellationToken cancellationToken) =>
        throw new UpstreamException(ErrorCodes.UnsupportedFrame, "History is not available with the App Server upstream.", false);

    private static UpstreamException NoConversationRoutes() => new(ErrorCodes.UnsupportedFrame, "The App Server upstream cannot list or create conversations: send with a conversation_id of your own.", false);

    /// <summary>App Server turns cannot be re-attached, so there is nothing to follow.</summary>
    public Task<IReadOnlyList<string>> ListActiveRunsAsync(string agentId, string? conversationId, CancellationToken cancellationToken) =>
        throw NotResumable();

    private static UpstreamException NotResumable() => new(ErrorCodes.NotResumable, "The App Server cannot replay a run from a cursor.", false);

    /// <summary>Aborts the agent's App Server turn that ran <paramref name="runId"/> (any of its runs), or
    /// its active turn when no run is named. The abort names no run: the App Server honours a run id only
    /// once it has marked that run active, which lags its first deltas. It cannot stop a later turn of
    /// the conversation: the gateway starts none there until this one's <c>turn_finished</c>, and
    /// commands reach the App Server in the order they are sent.</summary>
    public async Task<bool> CancelRunAsync(string agentId, string? runId, CancellationToken cancellationToken)
    {
        foreach ((RuntimeKey runtime, RuntimeSlot slot) in _runtimes)
        {
            if (!string.Equals(runtime.AgentId, agentId, StringComparison.Ordinal) || slot.Turn is not { State: AppServerTurnState.Active } turn
                || (runId is not null && !turn.HasRun(runId)))
            {
                continue;
            }

            try
            {
                string requestId = turn.Socket.NextRequestId("ab");
                JsonElement answer = await turn.Socket.RequestAsync(requestId, AppServerCommands.Abort(requestId, runtime), _letta.CancelTimeout, cancellationToken).ConfigureAwait(false);
                return Bool(answer, "success");
            }
            catch (UpstreamException)
            {
                return false;
            }
        }

        return true; // nothing of this agent is running: nothing to stop
    }

    public Task<ObjectOwner?> GetRunOwnerAsync(string runId, CancellationToken cancellationToken) => Task.FromResult<ObjectOwner?>(null);

    public async Task<ObjectOwner?> GetConversationOwnerAsync(string conversationId, CancellationToken cancellationToken)
    {
        AppServerSocket socket = await ConnectedAsync(cancellationToken).ConfigureAwait(false);
        string requestId = socket.NextRequestId("conv");
        JsonElement answer = await socket.RequestAsync(requestId, AppServerCommands.ConversationRetrieve(requestId, conversationId), _options.AckTimeout, cancellationToken).ConfigureAwait(false);
        return Bool(answer, "success") && answer.TryGetProperty("conversation", out JsonElement conversation) && conversation.ValueKind == JsonValueKind.Object
            && Text(conversation, "agent_id") is { } agentId
            ? new ObjectOwner(agentId, conversationId)
            : null;
    }

    public Task<(bool Ok, string Detail)> ProbeAsync(CancellationToken cancellationToken)
    {
        lock (_gate)
        {
            return Task.FromResult(_socket is { IsOpen: true }
                ? (true, _serverDescription)
                : (false, _lastFailure is { } failure ? $"{failure.Code}: {failure.Message}" : "the App Server is not connected yet"));
        }
    }

    public async Task<IReadOnlyList<AgentSummary>> ListAgentsAsync(CancellationToken cancellationToken)
    {
        AppServerSocket socket = await ConnectedAsync(cancellationToken).ConfigureAwait(false);
        string requestId = socket.NextRequestId("agents");
        JsonElement answer = await socket.RequestAsync(requestId, AppServerCommands.AgentList(requestId), _options.AckTimeout, cancellationToken).ConfigureAwait(false);
        var agents = new List<AgentSummary>();
        if (answer.TryGetProperty("agents", out JsonElement list) && list.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement agent in list.EnumerateArray())
            {
                if (Text(agent, "id") is { } id)
                {
                    agents.Add(new AgentSummary(id, Text(agent, "name") ?? id));
                }
            }
        }

        return agents;
    }

    /// <summary>A stream that was dropped before its turn ended: abort the App Server turn (a client that
    /// left mid-turn stops it upstream). The runtime is free once the App Server confirms with its
    /// <c>turn_finished</c>, or after the wind-down timeout if it never does.</summary>
    internal void Abandon(AppServerTurn turn)
    {
        if (turn.State != AppServerTurnState.Active)
        {
            return;
        }

        if (!turn.Socket.Send(AppServerCommands.Abort(turn.Socket.NextRequestId("ab"), turn.Runtime)))
        {
            turn.Fail(new UpstreamException(ErrorCodes.UpstreamUnavailable, "The App Server connection closed.", true));
            return;
        }

        _ = ReleaseLaterAsync(turn);
    }

    private async Task ReleaseLaterAsync(AppServerTurn turn)
    {
        try
        {
            await Task.Delay(_letta.WindDownTimeout, _time, _stopping.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
        }

        turn.Fail(new UpstreamException(ErrorCodes.UpstreamTimeout, "The App Server did not confirm the abort.", true));
    }

    private AppServerTurn NewTurn(RuntimeKey runtime, string owner, AppServerSocket socket) =>
        new(runtime, owner, socket, _options.MaxBufferedEventsPerTurn, _time, Release)
        {
            Ignored = Ignored,
            ApprovalTimeout = _options.ApprovalTimeout,
            ApprovalExpired = ApprovalExpired,
        };

    private void ApprovalExpired(AppServerTurn turn)
    {
        if (turn.State == AppServerTurnState.AwaitingApproval)
        {
            Log.ApprovalExpired(_logger, turn.Runtime.AgentId, turn.Owner);
            turn.Socket.Send(AppServerCommands.Abort(turn.Socket.NextRequestId("ab"), turn.Runtime));
            turn.Fail(new UpstreamException(ErrorCodes.UpstreamTimeout, "Nobody answered the approval in time.", false));
        }
    }

    private void Release(AppServerTurn turn)
    {
        if (_runtimes.TryGetValue(turn.Runtime, out RuntimeSlot? slot))
        {
            lock (slot.Gate)
            {
                if (slot.Turn == turn)
                {
                    slot.Turn = null;
                    slot.Previous = turn;
                    slot.FinishedAt = _time.GetTimestamp();
                }
            }
        }

        PruneIdleRuntimes();
    }

    /// <summary>A gateway serving many agents and conversations forgets the idle runtimes that finished
    /// longest ago beyond <see cref="AppServerOptions.MaxRuntimes"/>.</summary>
    private void PruneIdleRuntimes()
    {
        int excess = _runtimes.Count - _options.MaxRuntimes;
        if (excess <= 0)
        {
            return;
        }

        foreach ((RuntimeKey runtime, RuntimeSlot slot) in _runtimes.ToArray().OrderBy(kv => Interlocked.Read(ref kv.Value.FinishedAt)).Take(excess))
        {
            lock (slot.Gate)
            {
                // Only a slot with no turn (active or waiting for approval) that has finished one is idle.
                if (slot.Turn is null && slot.FinishedAt != 0)
                {
                    slot.Retired = true;
                    _runtimes.TryRemove(new KeyValuePair<RuntimeKey, RuntimeSlot>(runtime, slot));
                }
            }
        }
    }

    /// <summary>Runtimes the gateway remembers (for tests and diagnostics).</summary>
    internal int RuntimeCount => _runtimes.Count;

    /// <summary>
    /// Waits until the runtime's previous turn ended at least <see cref="AppServerOptions.InputSettleDelay"/>
    /// ago. App Server 0.32.18 was seen to run an input sent a few milliseconds after the previous
    /// <c>turn_finished</c> without marking its turn active: that turn then ignores <c>abort_message</c>
    /// (<c>aborted:false</c>) and cannot be cancelled. A short pause avoids the race.
    /// </summary>
    private async Task SettleAsync(RuntimeSlot slot, CancellationToken cancellationToken)
    {
        long finishedAt = Interlocked.Read(ref slot.FinishedAt);
        if (finishedAt == 0)
        {
            return;
        }

        TimeSpan wait = _options.InputSettleDelay - _time.GetElapsedTime(finishedAt);
        if (wait > TimeSpan.Zero)
        {
            await Task.Delay(wait, _time, cancellationToken).ConfigureAwait(false);
        }
    }

    private static UpstreamException Busy(AppServerTurn active) =>
        active.State == AppServerTurnState.AwaitingApproval
            ? new UpstreamException(ErrorCodes.Busy, $"The agent is waiting for approval of tool call {string.Join(", ", active.PendingToolCalls)} in this conversation; answer it with approve first.", true, TimeSpan.FromSeconds(1), active.Owner)
            : new UpstreamException(ErrorCodes.Busy, "The agent is answering another turn in this conversation.", true, TimeSpan.FromSeconds(1), active.Owner);

    /// <summary>Answers a parked approval; the stream goes on with the same App Server turn.</summary>
    private async Task<IUpstreamStream> ContinueAsync(AppServerSocket socket, LettaTurnRequest request, string toolCallId, CancellationToken cancellationToken)
    {
        AppServerTurn? parked = null;
        string? controlId = null;
        foreach ((RuntimeKey runtime, RuntimeSlot slot) in _runtimes)
        {
            if (string.Equals(runtime.AgentId, request.AgentId, StringComparison.Ordinal) && slot.Turn is { } turn && turn.PendingApproval(toolCallId) is { } id)
            {
                (parked, controlId) = (turn, id);
                break;
            }
        }

        if (parked is null || controlId is null)
        {
            throw new UpstreamException(ErrorCodes.UpstreamRejected, "No approval is pending for this tool call.", false) { StatusCode = 400 };
        }

        string requestId = socket.NextRequestId("ap");
        JsonElement ack = await socket.RequestAsync(requestId, AppServerCommands.ApprovalResponse(requestId, parked.Runtime, controlId, request.Approve, request.ApprovalReason), _options.AckTimeout, cancellationToken).ConfigureAwait(false);
        if (!Bool(ack, "accepted"))
        {
            throw new UpstreamException(ErrorCodes.UpstreamRejected, "The App Server says this approval is no longer pending.", false, null, Detail(ack));
        }

        return parked.Answered(toolCallId, request.TurnId ?? request.Otid)
            ? new AppServerStream(parked, this, _letta.IdleTimeout, _options.HeartbeatInterval, _time)
            : new StillWaitingStream(parked.CurrentRunId);
    }

    private async Task StartRuntimeAsync(AppServerSocket socket, RuntimeKey runtime, RuntimeSlot slot, CancellationToken cancellationToken)
    {
        if (Interlocked.Read(ref slot.StartedOn) == socket.Generation)
        {
            return;
        }

        string requestId = socket.NextRequestId("rs");
        JsonElement answer = await socket.RequestAsync(requestId, AppServerCommands.RuntimeStart(requestId, runtime, _options.PermissionMode, ServerVersion.Value), _options.AckTimeout, cancellationToken).ConfigureAwait(false);
        if (!Bool(answer, "success"))
        {
            string error = Text(answer, "error") ?? string.Empty;
            throw error.Contains("not found", StringComparison.OrdinalIgnoreCase)
                ? error.Contains("onversation", StringComparison.Ordinal)
                    ? new UpstreamException(ErrorCodes.ConversationNotFound, "The App Server does not know this conversation.", false) { StatusCode = 404 }
                    : new UpstreamException(ErrorCodes.AgentNotFound, "The App Server does not know this agent.", false) { StatusCode = 404 }
                : new UpstreamException(ErrorCodes.UpstreamRejected, "The App Server refused to start the agent's runtime.", false, null, error.Length > 200 ? error[..200] : error);
        }

        Interlocked.Exchange(ref slot.StartedOn, socket.Generation);
    }

    /// <summary>The open socket; while reconnecting, the last failure at once (with when to retry), so
    /// turns are answered in milliseconds rather than after a timeout.</summary>
    private async Task<AppServerSocket> ConnectedAsync(CancellationToken cancellationToken)
    {
        Task<AppServerSocket> next;
        lock (_gate)
        {
            if (_socket is { IsOpen: true } open)
            {
                return open;
            }

            if (_lastFailure is { } failure)
            {
                throw WithRetryAfter(failure);
            }

            next = _connected.Task;
        }

        try
        {
            return await next.WaitAsync(_options.ConnectTimeout, _time, cancellationToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            throw new UpstreamException(ErrorCodes.UpstreamUnavailable, "The gateway is still connecting to the App Server.", true, TimeSpan.FromSeconds(1));
        }
    }

    private UpstreamException WithRetryAfter(UpstreamException failure)
    {
        if (!failure.Retryable)
        {
            return new UpstreamException(failure.Code, failure.Message, false, null, failure.Detail) { StatusCode = failure.StatusCode };
        }

        TimeSpan wait = TimeSpan.FromSeconds((Interlocked.Read(ref _nextAttemptAt) - _time.GetTimestamp()) / (double)_time.TimestampFrequency);
        TimeSpan retryAfter = wait > TimeSpan.FromMilliseconds(100) ? wait : TimeSpan.FromMilliseconds(100);
        return new UpstreamException(failure.Code, failure.Message, true, retryAfter, failure.Detail) { StatusCode = failure.StatusCode };
    }

    private async Task MaintainAsync(CancellationToken stopping)
    {
        while (!stopping.IsCancellationRequested)
        {
            AppServerSocket socket;
            try
            {
                socket = await _reconnect.ExecuteAsync(static (self, ct) => new ValueTask<AppServerSocket>(self.ConnectOnceAsync(ct)), this, stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException) when (stopping.IsCancellationRequested)
            {
                return;
            }

            TaskCompletionSource<AppServerSocket> connected;
            lock (_gate)
            {
                _socket = socket;
                _lastFailure = null;
                connected = _connected;
            }

            connected.TrySetResult(socket);
            UpstreamException reason;
            try
            {
                reason = await socket.Closed.WaitAsync(stopping).ConfigureAwait(false);
            }
            catch (OperationCanceledException)
            {
                reason = new UpstreamException(ErrorCodes.ShuttingDown, "The gateway is shutting down.", true);
            }

            lock (_gate)
            {
                _socket = null;
                _lastFailure = reason;
                _connected = new TaskCompletionSource<AppServerSocket>(TaskCreationOptions.RunContinuationsAsynchronously);
                Interlocked.Exchange(ref _nextAttemptAt, _time.GetTimestamp() + (long)(_options.ReconnectBaseDelay.TotalSeconds * _time.TimestampFrequency));
            }

            FailTurnsOn(socket, reason);
            if (!stopping.IsCancellationRequested)
            {
                Log.Disconnected(_logger, reason.Message);
            }

            await socket.DisposeAsync().ConfigureAwait(false);
        }
    }

    /// <summary>Every turn on a socket that ended gets one typed error now (not after an idle timeout).</summary>
    private void FailTurnsOn(AppServerSocket socket, UpstreamException reason)
    {
        foreach (RuntimeSlot slot in _runtimes.Values)
        {
            if (slot.Turn is { } turn && turn.Socket == socket)
            {
                turn.Fail(reason);
            }
        }
    }

    private async Task<AppServerSocket> ConnectOnceAsync(CancellationToken cancellationToken)
    {
        long generation = Interlocked.Increment(ref _generation);
        using var timeout = CancellationTokenSource.CreateLinkedTokenSource(cancellationToken);
        timeout.CancelAfter(_options.ConnectTimeout);
        AppServerSocket? socket = null;
        try
        {
            socket = await AppServerSocket.ConnectAsync(_url, _token, _options, generation, (type, frame) => OnFrame(generation, type, frame), timeout.Token).ConfigureAwait(false);
            string requestId = socket.NextRequestId("info");
            JsonElement info = await socket.RequestAsync(requestId, AppServerCommands.Info(requestId), _options.AckTimeout, timeout.Token).ConfigureAwait(false);
            int protocol = info.TryGetProperty("protocol_version", out JsonElement version) && version.TryGetInt32(out int v) ? v : 0;
            if (protocol != 1)
            {
                throw new UpstreamException(ErrorCodes.UpstreamRejected, $"The App Server speaks protocol version {protocol}; this gateway speaks version 1.", false);
            }

            string description = $"App Server {Text(info, "letta_code_version") ?? "?"} ({Text(info, "backend") ?? "?"} backend), connected";
            lock (_gate)
            {
                _serverDescription = description;
            }

            Log.Connected(_logger, Redacted(_url), description);
            return socket;
        }
        catch (Exception e) when (e is UpstreamException or OperationCanceledException && !cancellationToken.IsCancellationRequested)
        {
            if (socket is not null)
            {
                await socket.DisposeAsync().ConfigureAwait(false);
            }

            UpstreamException failure = e as UpstreamException
                ?? new UpstreamException(ErrorCodes.UpstreamUnavailable, $"The App Server did not answer within {_options.ConnectTimeout.TotalSeconds:0.#} s.", true);
            lock (_gate)
            {
                _lastFailure = failure;
            }

            Log.ConnectFailed(_logger, Redacted(_url), failure.Code, failure.Message);
            throw failure;
        }
    }

    /// <summary>Routes a runtime event to the turn following that runtime. Called by the socket's reader loop.</summary>
    private void OnFrame(long generation, string type, JsonElement frame)
    {
        if (frame.ValueKind != JsonValueKind.Object)
        {
            Ignored(type);
            return;
        }

        if (!s_knownBroadcasts.Contains(type))
        {
            Ignored(type);
            return;
        }

        if (RuntimeOf(frame) is { } runtime && _runtimes.TryGetValue(runtime, out RuntimeSlot? slot)
            && slot.Turn is { } turn && turn.Socket.Generation == generation)
        {
            // letta-code 0.32.18 can still send a few deltas of an aborted turn after its turn_finished:
            // they belong to the previous turn's runs, never to the one that took the runtime since.
            if (slot.Previous is { } previous && RunIdOf(frame) is { } runId && previous.HasRun(runId) && !turn.HasRun(runId))
            {
                Ignored("late_" + type);
                return;
            }

            turn.OnFrame(type, frame);
        }
    }

    private static string? RunIdOf(JsonElement frame) =>
        frame.TryGetProperty("delta", out JsonElement delta) && delta.ValueKind == JsonValueKind.Object && Text(delta, "run_id") is { } inDelta
            ? inDelta
            : Text(frame, "run_id");

    private void Ignored(string type)
    {
        _metrics.UpstreamFrameIgnored(type);
        if (_loggedIgnored.Count < 64 && _loggedIgnored.TryAdd(type, true))
        {
            Log.IgnoredFrame(_logger, type);
        }
    }

    private static RuntimeKey? RuntimeOf(JsonElement frame)
    {
        JsonElement scope = frame.TryGetProperty("runtime", out JsonElement runtime) && runtime.ValueKind == JsonValueKind.Object ? runtime : frame;
        return Text(scope, "agent_id") is { } agentId ? RuntimeKey.For(agentId, Text(scope, "conversation_id")) : null;
    }

    private static bool Bool(JsonElement element, string name) => JsonFields.IsTrue(element, name);

    private static string? Text(JsonElement element, string name) => JsonFields.String(element, name);

    private static string? Detail(JsonElement answer) => Text(answer, "error") is { } error ? (error.Length > 200 ? error[..200] : error) : null;

    /// <summary>The URL without user info or query (a token must never reach a log line).</summary>
    private static string Redacted(Uri url) => new UriBuilder(url) { UserName = string.Empty, Password = string.Empty, Query = string.Empty }.Uri.ToString();

    /// <summary>One runtime's state: the App Server turn it is in (active or waiting for approval), and
    /// which upstream socket it was started on.</summary>
    private sealed class RuntimeSlot
    {
        public readonly Lock Gate = new();
        public AppServerTurn? Turn;

        /// <summary>The turn before <see cref="Turn"/>: late frames of its runs are dropped.</summary>
        public AppServerTurn? Previous;
        public long StartedOn;
        public long FinishedAt;

        /// <summary>Pruned (idle and old): whoever still holds it takes the runtime's new slot instead.</summary>
        public bool Retired;
    }

    /// <summary>An approval answered while other calls of the same step still wait: the turn stays parked.</summary>
    private sealed class StillWaitingStream(string? runId) : IUpstreamStream
    {
        public async IAsyncEnumerable<LettaEvent> ReadAsync([System.Runtime.CompilerServices.EnumeratorCancellation] CancellationToken cancellationToken)
        {
            await Task.CompletedTask.ConfigureAwait(false);
            yield return new LettaEvent(LettaEventKind.StopReason) { RunId = runId, StopReason = StopReasons.RequiresApproval };
            yield return new LettaEvent(LettaEventKind.Done) { RunId = runId };
        }

        public ValueTask DisposeAsync() => ValueTask.CompletedTask;
    }

    private static partial class Log
    {
        [LoggerMessage(EventId = 8001, Level = LogLevel.Information, Message = "Connected to the App Server at {Url}: {Description}")]
        public static partial void Connected(ILogger logger, string url, string description);

        [LoggerMessage(EventId = 8002, Level = LogLevel.Warning, Message = "Could not connect to the App Server at {Url}: {Code} {Reason}")]
        public static partial void ConnectFailed(ILogger logger, string url, string code, string reason);

        [LoggerMessage(EventId = 8003, Level = LogLevel.Warning, Message = "The App Server connection ended: {Reason} Active turns failed; reconnecting with backoff.")]
        public static partial void Disconnected(ILogger logger, string reason);

        [LoggerMessage(EventId = 8004, Level = LogLevel.Information, Message = "Ignored an App Server frame of a type the gateway does not know: {Type} (counted in lettasockets.upstream.ignored)")]
        public static partial void IgnoredFrame(ILogger logger, string type);

        [LoggerMessage(EventId = 8005, Level = LogLevel.Information, Message = "An approval of agent {AgentId} (turn {TurnId}) was not answered in time; the App Server turn was aborted")]
        public static partial void ApprovalExpired(ILogger logger, string agentId, string turnId);
    }
}
