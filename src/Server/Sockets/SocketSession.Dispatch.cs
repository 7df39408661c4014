using LettaSockets.Server.Connections;
using System.Diagnostics;
using LettaSockets.Protocol.Chunks;
using LettaSockets.Protocol.Frames;
using LettaSockets.Protocol.Parsing;
using LettaSockets.Server.Turns;
using LettaSockets.Server.Upstream;

namespace LettaSockets.Server.Sockets;

public sealed partial class SocketSession
{
    /// <summary>
    /// Handles one client frame. Nothing that goes wrong while handling a frame may end the reader
    /// loop (docs/PROTOCOL.md, rules 5 and 6): an unexpected failure becomes an <c>internal</c> error for that request
    /// id, is logged, and the connection and its other turns carry on.
    /// </summary>
    private async ValueTask HandleFrameAsync(ClientFrameParseResult parsed)
    {
        if (parsed.Error is { } error)
        {
            await RejectAsync(error.Code, error.Message, error.Id).ConfigureAwait(false);
            return;
        }

        ClientFrame frame = parsed.Frame!;
        string? id = frame.Type is ClientFrameType.Message or ClientFrameType.Approve or ClientFrameType.Resume or ClientFrameType.History or ClientFrameType.Follow
            ? frame.Id ?? NextRequestId()
            : frame.Id;
        try
        {
            await DispatchAsync(frame, id).ConfigureAwait(false);
        }
        catch (Exception e) when (e is not System.Threading.Channels.ChannelClosedException && !(e is OperationCanceledException && _turns.Aborted.IsCancellationRequested))
        {
            Log.FrameFailed(_logger, _context.ConnectionId, frame.Type, id, e);

            // A turn that was admitted under this id sends its own terminal frame; otherwise this is it.
            if (id is null || !_turns.IsActive(id))
            {
                await RejectAsync(ErrorCodes.Internal, "The gateway failed while handling this frame.", id, retryable: true).ConfigureAwait(false);
            }
        }
    }

    private async ValueTask DispatchAsync(ClientFrame frame, string? id)
    {
        switch (frame.Type)
        {
            case ClientFrameType.Message:
            case ClientFrameType.Approve:
            case ClientFrameType.Resume:
                await StartTurnAsync(frame, id!).ConfigureAwait(false);
                break;
            case ClientFrameType.Cancel:
                await CancelAsync(id).ConfigureAwait(false);
                break;
            case ClientFrameType.Ping:
                await _turns.Output.WriteAsync(StreamChunk.Pong(id), _turns.Aborted).ConfigureAwait(false);
                break;
            case ClientFrameType.History:
                await StartHistoryAsync(frame, id!).ConfigureAwait(false);
                break;
            case ClientFrameType.Follow:
                await StartFollowAsync(frame, id!).ConfigureAwait(false);
                break;
            case ClientFrameType.Unfollow:
                Unfollow(id!);
                break;
        }
    }

    /// <summary>
    /// The checks a request that names an agent and a conversation but starts no turn (<c>history</c>,
    /// <c>follow</c>) shares with a turn: an agent (the frame's or the socket's), valid and in the key's
    /// scope — a scope refusal reads exactly like a bad agent id (docs/PROTOCOL.md, rule 7) — and a
    /// conversation only where Letta has them. Refuses the request itself and returns null otherwise.
    /// </summary>
    private async ValueTask<string?> CheckObjectRequestAsync(ClientFrame frame, string id, string kind)
    {
        string? agentId = frame.AgentId ?? _context.AgentId;
        (string Code, string Message)? refusal = agentId is null ? (ErrorCodes.NoDefaultAgent, $"This socket has no agent: send \"agent_id\" with the {kind} request.")
            : !AgentIds.IsValid(agentId) || !_context.MayUse(agentId) ? (ErrorCodes.InvalidAgentId, "Unknown or invalid agent id.")
            : frame.ConversationId is not null && !_pump.Capabilities.Conversations ? (ErrorCodes.UnsupportedFrame, "This server's Letta has no conversations.")
            : null;
        if (refusal is { } r)
        {
            await RejectAsync(r.Code, r.Message, id, agentId).ConfigureAwait(false);
            return null;
        }

        return agentId;
    }

    /// <summary>Default page size of a <c>history</c> request.</summary>
    private const int DefaultHistoryLimit = 50;

    /// <summary>Checks a <c>history</c> request like a turn's agent and conversation, then reads the history
    /// in the background: the reader goes on at once, and the answer is queued when Letta has given it.</summary>
    private async ValueTask StartHistoryAsync(ClientFrame frame, string id)
    {
        if (await CheckObjectRequestAsync(frame, id, "history").ConfigureAwait(false) is not { } agentId)
        {
            return;
        }

        _ = AnswerHistoryAsync(id, agentId, frame.ConversationId, frame.Limit ?? DefaultHistoryLimit, frame.Before);
    }

    private async Task AnswerHistoryAsync(string id, string agentId, string? conversationId, int limit, string? before)
    {
        StreamChunk answer;
        try
        {
            answer = await _pump.ReadHistoryAsync(id, agentId, conversationId, limit, before, _turns.Aborted).ConfigureAwait(false);
        }
        catch (Exception e) when (!(e is OperationCanceledException && _turns.Aborted.IsCancellationRequested))
        {
            // One request's failure is its own error frame; nothing else is disturbed.
            Log.FrameFailed(_logger, _context.ConnectionId, ClientFrameType.History, id, e);
            answer = StreamChunk.Failure(null, new ErrorInfo(ErrorCodes.Internal, "The gateway failed while reading this history.", true) { Id = id, AgentId = agentId });
        }
        catch (OperationCanceledException)
        {
            return; // the connection went away first
        }

        try
        {
            await _turns.Output.WriteAsync(answer, _turns.Aborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or System.Threading.Channels.ChannelClosedException)
        {
        }
    }

    private async ValueTask StartTurnAsync(ClientFrame frame, string id)
    {
        string? agentId = frame.AgentId ?? _context.AgentId;
        if (await RefuseTurnAsync(frame, id, agentId).ConfigureAwait(false))
        {
            return;
        }

        var ask = new TurnAsk(agentId)
        {
            Content = frame.Content,
            ConversationId = frame.ConversationId,
            MaxCharsPerSecond = frame.MaxCharsPerSecond,
            Resume = frame.Type == ClientFrameType.Resume,
            RunId = frame.RunId,
            AfterSeq = frame.AfterSeq,
            Resumable = frame.Resumable,
            Approve = frame.Type == ClientFrameType.Approve,
        };
        if (_admission.Check(ask, _context.MayUse) is { } refusal)
        {
            // A key's scope is reported on the socket as an invalid agent (it was always so).
            string code = refusal.Code == TurnAdmission.ForbiddenAgent ? ErrorCodes.InvalidAgentId : refusal.Code;
            await RejectAsync(code, refusal.Message, id, refusal.Code == ErrorCodes.NoDefaultAgent ? null : agentId).ConfigureAwait(false);
            return;
        }

        AdmitResult admitted = _turns.Admit(id, agentId!, predecessor => CreateTurn(frame, id, agentId!, predecessor));
        switch (admitted.Refusal)
        {
            case AdmitRefusal.None:
                Log.TurnStarted(_logger, _context.ConnectionId, id, agentId!);
                _ = _pump.StartAsync(admitted.Turn!, _turns); // tracked by the registry, awaited on teardown
                break;
            case AdmitRefusal.Busy:
                await RejectAsync(ErrorCodes.Busy, "This agent is still answering on this connection: wait for its done, or cancel it.", id, agentId, detail: admitted.Detail, retryable: true).ConfigureAwait(false);
                break;
            case AdmitRefusal.TooManyTurns:
                await RejectAsync(ErrorCodes.TooManyTurns, $"At most {_options.MaxActiveTurns} turns may run at once on one connection.", id, agentId, retryable: true).ConfigureAwait(false);
                break;
            case AdmitRefusal.DuplicateId:
                // Not terminal for that id: the turn that owns it is still running and will end it.
                await RejectAsync(ErrorCodes.BadFrame, "That request id is already in use by an active turn; choose another.", detail: id).ConfigureAwait(false);
                break;
        }
    }

    private Turn CreateTurn(ClientFrame frame, string id, string agentId, Task? predecessor, bool followed = false)
    {
        bool resumable = frame.Type == ClientFrameType.Resume || (frame.Resumable ?? (_letta.Background && _letta.ResumableTurns));
        var info = new TurnState(id, agentId, resumable, Stopwatch.GetTimestamp()) { Followed = followed };
        if (frame.Type == ClientFrameType.Resume)
        {
            info.LastSeq = frame.AfterSeq ?? 0;
        }

        var request = new LettaTurnRequest(agentId)
        {
            TurnId = id,
            Otid = TurnOtid.For(agentId, id),
            Content = frame.Content,
            ConversationId = frame.ConversationId,
            Background = resumable,
            ApprovalToolCallId = frame.Type == ClientFrameType.Approve ? frame.ToolCallId : null,
            Approve = frame.Approve ?? false,
            ApprovalReason = frame.Reason,
        };
        var options = new TurnOptions(_letta.WindDownTimeout, TurnPacer.ResolveRate(frame.MaxCharsPerSecond, _options.DefaultMaxCharsPerSecond, _options.MaxCharsPerSecondLimit), _options.MaxPacedBytes);
        return new Turn(info, request, options, _time, _canceller, _turns.Aborted)
        {
            Predecessor = predecessor,
            RequestedRunId = frame.Type == ClientFrameType.Resume ? frame.RunId : null,
            ResumeAfterSeq = frame.Type == ClientFrameType.Resume ? frame.AfterSeq ?? 0 : null,
        };
    }

    /// <summary>Cancels one turn, or all without an id. Unknown or finished ids are ignored: a cancel
    /// often races the turn's own done.</summary>
    private async ValueTask CancelAsync(string? id)
    {
        if (id is null)
        {
            foreach (Turn turn in _turns.EndAll(CancelledBy.Client))
            {
                await EmitCancelledAsync(turn).ConfigureAwait(false);
            }

            return;
        }

        if (_turns.CancelOne(id) is { } target)
        {
            await EmitCancelledAsync(target).ConfigureAwait(false);
        }
    }

    private ValueTask EmitCancelledAsync(Turn turn)
    {
        Log.TurnCancelled(_logger, _context.ConnectionId, turn.Info.Id, turn.Info.RunId);
        return _turns.Output.WriteAsync(TurnHost.CancelledDone(turn, CancelledBy.Client), _turns.Aborted);
    }
}
