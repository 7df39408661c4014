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

    private static bool Bool(JsonElement element, string name) => JsonFields.IsTrue(element, name);

    private static string? Text(JsonElement element, string name) => JsonFields.String(element, name);

    private static string? Detail(JsonElement answer) => Text(answer, "error") is { } error ? (error.Length > 200 ? error[..200] : error) : null;

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
}
