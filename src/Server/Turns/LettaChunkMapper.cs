using System.Diagnostics;
using System.Text;
using System.Text.Json;
using LettaSockets.Protocol.Chunks;
using LettaSockets.Protocol.Frames;
using LettaSockets.Server.Upstream;

namespace LettaSockets.Server.Turns;

/// <summary>
/// Maps one turn's Letta events to protocol frames (docs/PROTOCOL.md, "Receiving"), keeping the little state that
/// needs: whether the run id was announced, which tool calls were named already (names are never
/// repeated, Letta docs: guides/agents/streaming), approval deltas until the call is whole, and how the stream ended.
/// </summary>
public sealed class LettaChunkMapper(TurnState turn, bool upstreamReportsToolStart = false)
{
    private Dictionary<string, ToolCallState>? _toolCalls;
    private string? _lastToolCallId;
    private string? _stopReason;
    private UsageInfo? _usage;
    private LettaError? _error;
    private bool _sawDone;
    private bool _sawInvalid;
    private bool _sawPing;

    /// <summary>True once the stream has said all it will (an error, <c>[DONE]</c>, or invalid data).</summary>
    public bool IsFinished => _error is not null || _sawDone || _sawInvalid;

    public TurnOutcome Outcome => new(_stopReason, _usage, _error, _sawDone, _sawInvalid);

    /// <summary>Appends the frames for <paramref name="e"/> to <paramref name="output"/>.</summary>
    public void Map(in LettaEvent e, List<StreamChunk> output)
    {
        long seq = turn.Resumable ? e.Seq : -1;

        // Status frames carry the cursor from before this event: a client cut right after one
        // resumes from there and still receives the event's content (docs/PROTOCOL.md rule 2, across a resume).
        long before = turn.LastSeq;
        if (seq >= 0)
        {
            turn.LastSeq = seq;
        }

        bool announced = false;
        if (turn.RunId is null && e.RunId is not null)
        {
            turn.RunId = e.RunId;
            output.Add(StreamChunk.StatusFrame(turn, StatusKind.Running, seq: e.Kind == LettaEventKind.Ping ? seq : before));
            announced = true;
        }

        switch (e.Kind)
        {
            case LettaEventKind.Ping:
                // The first ping opens every stream (Letta docs: guides/agents/streaming), resumed ones too: only the
                // keepalives after it mean "still working".
                if (_sawPing && !announced)
                {
                    output.Add(StreamChunk.StatusFrame(turn, StatusKind.Working, ElapsedMs(), before));
                }

                _sawPing = true;
                break;
            case LettaEventKind.Assistant when !string.IsNullOrEmpty(e.Text):
                Content(e.Text.Length);
                output.Add(StreamChunk.Text(turn, MessageId(e), e.Text, seq));
                break;
            case LettaEventKind.Reasoning when !string.IsNullOrEmpty(e.Text):
                Content(0);
                output.Add(StreamChunk.Reasoning(turn, MessageId(e), e.Text, hidden: false, seq));
                break;
            case LettaEventKind.HiddenReasoning:
                Content(0);
                output.Add(StreamChunk.Reasoning(turn, MessageId(e), e.Text ?? string.Empty, hidden: true, seq));
                break;
            case LettaEventKind.ToolCall:
                ForEachCall(e, output, seq, approval: false);
                break;
            case LettaEventKind.ApprovalRequest:
                ForEachCall(e, output, seq, approval: true);
                break;
            case LettaEventKind.ToolStarted:
                output.Add(StreamChunk.StatusFrame(turn, StatusKind.ToolRunning, seq: seq, toolCallId: e.ToolCall.ToolCallId));
                break;
            case LettaEventKind.ToolReturn when e.ToolReturn is { } result:
                output.Add(StreamChunk.ToolResult(turn, result, seq));
                break;
            case LettaEventKind.StopReason:
                _stopReason ??= e.StopReason; // a duplicate stop_reason can follow a cancel (Letta API docs: agents/messages/cancel)
                FlushApprovals(output, seq);
                break;
            case LettaEventKind.Usage:
                _usage = e.Usage;
                break;
            case LettaEventKind.Error:
                _error = e.Error;
                break;
            case LettaEventKind.Done:
                _sawDone = true;
                FlushApprovals(output, seq);
                break;
            case LettaEventKind.Invalid:
                _sawInvalid = true;
                break;
        }
    }

    /// <summary>Emits approvals that never became complete JSON before the stream ended.</summary>
    public void FlushApprovals(List<StreamChunk> output, long seq = -1)
    {
        if (_toolCalls is null)
        {
            return;
        }

        foreach ((string id, ToolCallState state) in _toolCalls)
        {
            if (state.IsApproval && !state.Announced)
            {
                state.Announced = true;
                output.Add(StreamChunk.Approval(turn, new ApprovalInfo(id, state.Name, state.Arguments.ToString()), seq));
            }
        }
    }

    private void ForEachCall(in LettaEvent e, List<StreamChunk> output, long seq, bool approval)
    {
        if (e.ToolCalls is { } calls)
        {
            foreach (ToolCallDelta call in calls)
            {
                OnCall(call, e, output, seq, approval);
            }
        }
        else
        {
            OnCall(e.ToolCall, e, output, seq, approval);
        }
    }

    private void OnCall(ToolCallDelta call, in LettaEvent e, List<StreamChunk> output, long seq, bool approval)
    {
        string id = call.ToolCallId ?? _lastToolCallId ?? e.Otid ?? e.Id ?? "call";
        _lastToolCallId = id;
        _toolCalls ??= new Dictionary<string, ToolCallState>(StringComparer.Ordinal);
        bool first = !_toolCalls.TryGetValue(id, out ToolCallState? state);
        if (first)
        {
            state = new ToolCallState(call.Name, approval);
            _toolCalls[id] = state;
        }

        state!.Name ??= call.Name;
        state.Arguments.Append(call.Arguments);
        Content(0);
        if (approval)
        {
            if (!state.Announced && IsCompleteJson(state.Arguments))
            {
                state.Announced = true;
                output.Add(StreamChunk.Approval(turn, new ApprovalInfo(id, state.Name, state.Arguments.ToString()), seq));
            }

            return;
        }

        output.Add(StreamChunk.ToolCall(turn, id, first || !state.NameSent ? state.Name : null, call.Arguments ?? string.Empty, seq));
        state.NameSent |= state.Name is not null;
        if (!upstreamReportsToolStart && !state.Announced && IsCompleteJson(state.Arguments))
        {
            // The arguments are whole, so Letta is now running the tool: say so at once rather than
            // waiting for a keepalive ping 20 s later.
            state.Announced = true;
            output.Add(StreamChunk.StatusFrame(turn, StatusKind.ToolRunning, seq: seq, toolCallId: id));
        }
    }

    private void Content(int chars)
    {
        if (turn.FirstContentTimestamp == 0)
        {
            turn.FirstContentTimestamp = Stopwatch.GetTimestamp();
        }

        turn.Chunks++;
        turn.OutputChars += chars;
    }

    private long ElapsedMs() => (long)Stopwatch.GetElapsedTime(turn.StartedTimestamp).TotalMilliseconds;

    private static string MessageId(in LettaEvent e) => e.Otid ?? e.Id ?? "message";

    private static bool IsCompleteJson(StringBuilder arguments)
    {
        if (arguments.Length == 0)
        {
            return false;
        }

        char last = arguments[^1];
        if (last != '}' && last != ']' && !char.IsWhiteSpace(last))
        {
            return false;
        }

        var reader = new Utf8JsonReader(Encoding.UTF8.GetBytes(arguments.ToString()));
        try
        {
            while (reader.Read())
            {
            }

            return reader.BytesConsumed > 0 && reader.CurrentDepth == 0;
        }
        catch (JsonException)
        {
            return false;
        }
    }

    private sealed class ToolCallState(string? name, bool isApproval)
    {
        public string? Name { get; set; } = name;
        public bool IsApproval { get; } = isApproval;
        public StringBuilder Arguments { get; } = new();
        public bool NameSent { get; set; }
        public bool Announced { get; set; }
    }
}
