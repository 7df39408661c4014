using System.Text;
using System.Text.Json;
using System.Threading.Channels;
using LettaSockets.Protocol.Frames;
using LettaSockets.Server.Upstream;

namespace LettaSockets.Server.AppServer;

/// <summary>
/// One App Server turn on one runtime, as the gateway follows it: translates the runtime's frames
/// (Letta Code's App Server protocol: its stream, control and status messages) into <see cref="LettaEvent"/>s on a bounded queue that the turn's
/// stream reads. A turn that asks for approval is <em>parked</em>: the gateway's turn ends with
/// <c>requires_approval</c> (as with Letta's HTTP API) while the App Server turn waits; the client's
/// <c>approve</c> continues the same App Server turn under a new gateway turn. Frames are written by the
/// upstream socket's reader loop only; the queue is never waited on, so a slow client costs its own
/// turn, never the shared socket.
/// </summary>
internal sealed class AppServerTurn
{
    private readonly Lock _gate = new();
    private readonly Channel<LettaEvent> _events;
    private readonly TimeProvider _time;
    private readonly Action<AppServerTurn> _ended;
    private readonly HashSet<string> _runs = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _toolNames = new(StringComparer.Ordinal);
    private readonly List<(string Id, string Name, string Arguments)> _heldCalls = [];
    private readonly HashSet<string> _needsAnswer = new(StringComparer.Ordinal);
    private readonly HashSet<string> _returned = new(StringComparer.Ordinal);
    private readonly Dictionary<string, string> _pendingApprovals = new(StringComparer.Ordinal);
    private UsageSum _usage;
    private LettaError? _lastError;
    private long _lastFrameAt;
    private ITimer? _approvalTimer;

    public AppServerTurn(RuntimeKey runtime, string owner, AppServerSocket socket, int capacity, TimeProvider time, Action<AppServerTurn> ended)
    {
        Runtime = runtime;
        Owner = owner;
        Socket = socket;
        _time = time;
        _ended = ended;
        _lastFrameAt = time.GetTimestamp();
        _events = Channel.CreateBounded<LettaEvent>(new BoundedChannelOptions(capacity) { SingleWriter = true, SingleReader = true, FullMode = BoundedChannelFullMode.Wait });
    }

    public RuntimeKey Runtime { get; }

    /// <summary>The gateway turn id the client knows this App Server turn by (the latest, after approvals).</summary>
    public string Owner { get; private set; }

    public AppServerSocket Socket { get; }

    public AppServerTurnState State { get; private set; }

    /// <summary>The App Server's current run of this turn (one per LLM call); null before the first.</summary>
    public string? CurrentRunId { get; private set; }

    public ChannelReader<LettaEvent> Events => _events.Reader;

    /// <summary>When the runtime last sent anything: the idle timeout measures the App Server's silence.</summary>
    public long LastFrameAt => Interlocked.Read(ref _lastFrameAt);

    /// <summary>Unknown frame or delta types seen (ignored, the turn goes on).</summary>
    public Action<string>? Ignored { get; init; }

    /// <summary>How long a parked turn waits for the client's answer before <see cref="ApprovalExpired"/> runs.</summary>
    public TimeSpan ApprovalTimeout { get; init; } = Timeout.InfiniteTimeSpan;

    public Action<AppServerTurn>? ApprovalExpired { get; init; }

    public bool HasRun(string runId)
    {
        lock (_gate)
        {
            return _runs.Contains(runId);
        }
    }

    /// <summary>The control request that answers <paramref name="toolCallId"/>, if it is pending.</summary>
    public string? PendingApproval(string toolCallId)
    {
        lock (_gate)
        {
            return State == AppServerTurnState.AwaitingApproval && _pendingApprovals.TryGetValue(toolCallId, out string? id) ? id : null;
        }
    }

    public IReadOnlyCollection<string> PendingToolCalls
    {
        get
        {
            lock (_gate)
            {
                return [.. _pendingApprovals.Keys];
            }
        }
    }

    /// <summary>The client answered one approval: the App Server turn goes on under <paramref name="owner"/>
    /// (or stays parked while other calls of the same step still wait). True when it goes on.</summary>
    public bool Answered(string toolCallId, string owner)
    {
        lock (_gate)
        {
            _pendingApprovals.Remove(toolCallId);
            Owner = owner;
            if (_pendingApprovals.Count > 0)
            {
                return false;
            }

            State = AppServerTurnState.Active;
            _approvalTimer?.Dispose();
            _approvalTimer = null;
            return true;
        }
    }

    /// <summary>Ends the turn with <paramref name="error"/> for whoever reads it (socket lost, overflow, abort without answer).</summary>
    public void Fail(UpstreamException error)
    {
        lock (_gate)
        {
            if (State == AppServerTurnState.Finished)
            {
                return;
            }

            State = AppServerTurnState.Finished;
            _approvalTimer?.Dispose();
        }

        _events.Writer.TryComplete(error);
        _ended(this);
    }

    /// <summary>Translates one runtime frame. Called by the upstream socket's reader loop only.</summary>
    public void OnFrame(string type, JsonElement frame)
    {
        Interlocked.Exchange(ref _lastFrameAt, _time.GetTimestamp());
        if (State == AppServerTurnState.Finished)
        {
            return;
        }

        switch (type)
        {
            case "stream_delta" when frame.TryGetProperty("delta", out JsonElement delta):
                OnDelta(delta);
                break;
            case "update_loop_status" when frame.TryGetProperty("loop_status", out JsonElement status):
                OnLoopStatus(status);
                break;
            case "control_request":
                OnControlRequest(frame);
                break;
            case "turn_finished":
                OnTurnFinished(frame);
                break;
            case "update_device_status" or "update_queue" or "update_subagent_state":
                break;
            default:
                Ignored?.Invoke(type);
                break;
        }
    }

    private void OnLoopStatus(JsonElement status)
    {
        if (status.TryGetProperty("active_run_ids", out JsonElement runs) && runs.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement run in runs.EnumerateArray())
            {
                if (run.GetString() is { } runId)
                {
                    NewRun(runId);
                }
            }
        }
    }

    private void NewRun(string runId)
    {
        bool first;
        lock (_gate)
        {
            if (!_runs.Add(runId))
            {
                return;
            }

            first = CurrentRunId is null;
            CurrentRunId = runId;
        }

        if (first)
        {
            Emit(new LettaEvent(LettaEventKind.Ping) { RunId = runId }); // → status running with the run id
        }
    }

    private void OnDelta(JsonElement delta)
    {
        string? runId = String(delta, "run_id");
        if (runId is not null)
        {
            NewRun(runId);
        }

        string? id = String(delta, "id");
        switch (String(delta, "message_type"))
        {
            case "assistant_message":
                Emit(new LettaEvent(LettaEventKind.Assistant) { RunId = runId, Id = id, Text = Text(delta, "content") });
                break;
            case "reasoning_message":
                Emit(new LettaEvent(LettaEventKind.Reasoning) { RunId = runId, Id = id, Text = String(delta, "reasoning") });
                break;
            case "hidden_reasoning_message":
                Emit(new LettaEvent(LettaEventKind.HiddenReasoning) { RunId = runId, Id = id, Text = String(delta, "hidden_reasoning") });
                break;
            case "approval_request_message" when delta.TryGetProperty("tool_call", out JsonElement call):
                // Held until the App Server has classified it: an auto-allowed call is a tool_call, one
                // that waits for the user becomes an approval_request (control_request) instead.
                string callId = String(call, "tool_call_id") ?? id ?? "call";
                string name = String(call, "name") ?? "tool";
                lock (_gate)
                {
                    _toolNames[callId] = name;
                    _heldCalls.Add((callId, name, String(call, "arguments") ?? "{}"));
                }

                break;
            case "approval_classification_end":
                OnClassified(delta);
                break;
            case "client_tool_start":
                FlushHeldCalls(null);
                Emit(new LettaEvent(LettaEventKind.ToolStarted) { RunId = runId, ToolCall = new ToolCallDelta(String(delta, "tool_call_id"), String(delta, "tool_name"), null) });
                break;
            case "tool_return_message":
                FlushHeldCalls(null);
                string returnedId = String(delta, "tool_call_id") ?? "call";
                string? toolName;
                lock (_gate)
                {
                    if (!_returned.Add(returnedId))
                    {
                        break; // the App Server reports a local tool's return twice: one tool_result per call
                    }

                    _toolNames.TryGetValue(returnedId, out toolName);
                }

                Emit(new LettaEvent(LettaEventKind.ToolReturn)
                {
                    RunId = runId,
                    ToolReturn = new ToolResultInfo(returnedId, toolName, String(delta, "status") ?? "success", String(delta, "tool_return")),
                });
                break;
            case "usage_statistics":
                UsageInfo usage;
                lock (_gate)
                {
                    usage = _usage.Add(delta);
                }

                Emit(new LettaEvent(LettaEventKind.Usage) { RunId = runId, Usage = usage });
                break;
            case "error_message":
                lock (_gate)
                {
                    _lastError = new LettaError(String(delta, "error_type"), String(delta, "message"), null);
                }

                break;
            case "stop_reason" or "user_message" or "client_tool_end" or "loop_error" or "status" or "retry" or "event_message":
                // Per-run stop reasons are not the turn's end (only turn_finished is); retries and
                // notices keep the runtime alive, which the heartbeat reports as "working".
                break;
            case var other:
                Ignored?.Invoke("stream_delta:" + other);
                break;
        }
    }

    private void OnClassified(JsonElement delta)
    {
        lock (_gate)
        {
            if (delta.TryGetProperty("user_input_tool_call_ids", out JsonElement ask) && ask.ValueKind == JsonValueKind.Array)
            {
                foreach (JsonElement id in ask.EnumerateArray())
                {
                    if (id.GetString() is { } callId)
                    {
                        _needsAnswer.Add(callId);
                    }
                }
            }
        }

        FlushHeldCalls(_needsAnswer);
    }

    /// <summary>Emits held calls as tool calls, except those that wait for the user.</summary>
    private void FlushHeldCalls(HashSet<string>? waiting)
    {
        List<(string Id, string Name, string Arguments)> calls;
        lock (_gate)
        {
            if (_heldCalls.Count == 0)
            {
                return;
            }

            calls = [.. _heldCalls];
            _heldCalls.Clear();
        }

        foreach ((string id, string name, string arguments) in calls)
        {
            if (waiting is null || !waiting.Contains(id))
            {
                Emit(new LettaEvent(LettaEventKind.ToolCall) { RunId = CurrentRunId, ToolCall = new ToolCallDelta(id, name, arguments) });
            }
        }
    }

    private void OnControlRequest(JsonElement frame)
    {
        if (!frame.TryGetProperty("request", out JsonElement request) || String(frame, "request_id") is not { } controlId)
        {
            return;
        }

        if (String(request, "subtype") != "can_use_tool")
        {
            // A question the gateway's clients cannot answer (interactive tools are excluded per turn).
            Socket.Send(AppServerCommands.ApprovalResponse(Socket.NextRequestId("ctl"), Runtime, controlId, allow: false, null, "This client cannot answer this request."));
            Ignored?.Invoke("control_request:" + String(request, "subtype"));
            return;
        }

        string toolCallId = String(request, "tool_call_id") ?? controlId;
        string name = String(request, "tool_name") ?? "tool";
        string arguments = request.TryGetProperty("input", out JsonElement input) ? input.GetRawText() : "{}";
        bool complete;
        lock (_gate)
        {
            if (_pendingApprovals.ContainsKey(toolCallId))
            {
                return; // the App Server can deliver a pending request again (seen with letta-code 0.32.18, docs/PROTOCOL.md "Upstream differences"): one approval_request
            }

            _pendingApprovals[toolCallId] = controlId;
            _toolNames[toolCallId] = name;
            _needsAnswer.Remove(toolCallId);
            _heldCalls.RemoveAll(c => c.Id == toolCallId);
            complete = _needsAnswer.Count == 0;
        }

        Emit(new LettaEvent(LettaEventKind.ApprovalRequest) { RunId = CurrentRunId, ToolCall = new ToolCallDelta(toolCallId, name, arguments) });
        if (complete)
        {
            // Every call of this step that waits for the user is announced: the gateway turn ends here
            // (requires_approval), the App Server turn waits for the answer.
            lock (_gate)
            {
                State = AppServerTurnState.AwaitingApproval;
                if (ApprovalExpired is { } expired && ApprovalTimeout != Timeout.InfiniteTimeSpan)
                {
                    _approvalTimer?.Dispose();
                    _approvalTimer = _time.CreateTimer(_ => expired(this), null, ApprovalTimeout, Timeout.InfiniteTimeSpan);
                }
            }

            Emit(new LettaEvent(LettaEventKind.StopReason) { RunId = CurrentRunId, StopReason = StopReasons.RequiresApproval });
            Emit(new LettaEvent(LettaEventKind.Done) { RunId = CurrentRunId });
        }
    }

    private void OnTurnFinished(JsonElement frame)
    {
        string stopReason = String(frame, "stop_reason") ?? "error";
        string? error = String(frame, "error");
        string? runId = String(frame, "run_id");
        if (runId is not null)
        {
            NewRun(runId);
        }

        LettaError? last;
        lock (_gate)
        {
            last = _lastError;
        }

        if (stopReason == "llm_api_error")
        {
            string? detail = last is null ? null : $"{last.ErrorType}: {Truncate(last.Message)}";
            Fail(new UpstreamException(ErrorCodes.UpstreamUnavailable, "The agent's model provider failed, after the App Server's own retries.", true, null, detail));
            return;
        }

        if (error is not null && runId is null && error.Contains("not found", StringComparison.OrdinalIgnoreCase))
        {
            Fail(new UpstreamException(ErrorCodes.AgentNotFound, "The App Server does not know this agent.", false) { StatusCode = 404 });
            return;
        }

        if (stopReason == "error" || error is not null)
        {
            // The App Server's error text is for its operator; the client gets its first line at most.
            Finish(new LettaEvent(LettaEventKind.Error) { RunId = runId, Error = new LettaError(last?.ErrorType ?? "agent_error", "The agent failed.", Truncate(error ?? last?.Message)) });
            return;
        }

        Finish(new LettaEvent(LettaEventKind.StopReason) { RunId = runId, StopReason = stopReason }, new LettaEvent(LettaEventKind.Done) { RunId = runId });
    }

    /// <summary>Frees the runtime first, then hands the reader the turn's last events: a client that sends
    /// its next message the moment it sees <c>done</c> finds the conversation free.</summary>
    private void Finish(params ReadOnlySpan<LettaEvent> last)
    {
        lock (_gate)
        {
            State = AppServerTurnState.Finished;
            _approvalTimer?.Dispose();
        }

        _ended(this);
        foreach (LettaEvent e in last)
        {
            _events.Writer.TryWrite(e); // the bound can only drop these when the turn already failed for overflow
        }

        _events.Writer.TryComplete();
    }

    private void Emit(in LettaEvent e)
    {
        if (!_events.Writer.TryWrite(e))
        {
            Fail(new UpstreamException(ErrorCodes.UpstreamUnavailable, "The turn produced events faster than its client read them; the gateway stopped it.", true, null, "AppServer:MaxBufferedEventsPerTurn"));
        }
    }

    private static string? String(JsonElement element, string name) => JsonFields.String(element, name);

    /// <summary><c>content</c> as a string or as an array of text parts (as letta-code sends it).</summary>
    private static string? Text(JsonElement element, string name)
    {
        if (!element.TryGetProperty(name, out JsonElement content))
        {
            return null;
        }

        if (content.ValueKind == JsonValueKind.String)
        {
            return content.GetString();
        }

        if (content.ValueKind != JsonValueKind.Array)
        {
            return null;
        }

        StringBuilder? text = null;
        string? single = null;
        foreach (JsonElement part in content.EnumerateArray())
        {
            if (String(part, "text") is not { } piece)
            {
                continue;
            }

            if (single is null && text is null)
            {
                single = piece;
            }
            else
            {
                (text ??= new StringBuilder(single)).Append(piece);
            }
        }

        return text?.ToString() ?? single;
    }

    private static string? Truncate(string? text)
    {
        if (text is null)
        {
            return null;
        }

        int line = text.IndexOf('\n', StringComparison.Ordinal);
        string first = line >= 0 ? text[..line] : text;
        return first.Length > 200 ? first[..200] : first;
    }

    /// <summary>Usage summed over the runs of a turn (the App Server reports it per run).</summary>
    private struct UsageSum
    {
        private long _prompt, _completion, _total, _cached, _cacheWrite, _reasoning, _steps;
        private long? _context;

        public UsageInfo Add(JsonElement delta)
        {
            _prompt += Long(delta, "prompt_tokens");
            _completion += Long(delta, "completion_tokens");
            _total += Long(delta, "total_tokens");
            _cached += Long(delta, "cached_input_tokens");
            _cacheWrite += Long(delta, "cache_write_tokens");
            _reasoning += Long(delta, "reasoning_tokens");
            if (delta.TryGetProperty("context_tokens", out JsonElement context) && context.ValueKind == JsonValueKind.Number)
            {
                _context = context.GetInt64(); // a level, not a sum: the latest run's
            }

            _steps++;
            return new UsageInfo
            {
                PromptTokens = _prompt,
                CompletionTokens = _completion,
                TotalTokens = _total,
                StepCount = _steps,
                CachedInputTokens = _cached,
                CacheWriteTokens = _cacheWrite,
                ReasoningTokens = _reasoning,
                ContextTokens = _context,
            };
        }

        private static long Long(JsonElement element, string name) =>
            element.TryGetProperty(name, out JsonElement value) && value.ValueKind == JsonValueKind.Number && value.TryGetInt64(out long n) ? n : 0;
    }
}

internal enum AppServerTurnState
{
    Active,
    AwaitingApproval,
    Finished,
}
