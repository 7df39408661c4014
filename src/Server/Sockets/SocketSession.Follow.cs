using System.Collections.Concurrent;
using LettaSockets.Protocol.Chunks;
using LettaSockets.Protocol.Frames;
using LettaSockets.Server.Turns;
using LettaSockets.Server.Upstream;

namespace LettaSockets.Server.Sockets;

public sealed partial class SocketSession
{
    /// <summary>Own runs remembered so a follow never replays this socket's own turns (bounded).</summary>
    private const int OwnRunsRemembered = 256;

    private readonly ConcurrentDictionary<string, CancellationTokenSource> _follows = new(StringComparer.Ordinal);
    private readonly ConcurrentQueue<string> _ownRunOrder = new();
    private readonly ConcurrentDictionary<string, byte> _ownRuns = new(StringComparer.Ordinal);

    /// <summary>
    /// <c>follow</c>: from now on, every resumable run of the agent (or of its conversation) that is active
    /// in Letta and was not started by this socket streams here too, from its first event, as a turn of its
    /// own (<c>id</c> = <c>&lt;follow id&gt;:&lt;run id&gt;</c>, frames marked <c>followed</c>) — started by
    /// another tab, device or gateway instance. Letta is asked every <see cref="Connections.SocketOptions.FollowPollInterval"/>.
    /// The same agent, scope and object checks as a turn; answered by one <c>following</c> frame.
    /// </summary>
    private async ValueTask StartFollowAsync(ClientFrame frame, string id)
    {
        string? agentId = frame.AgentId ?? _context.AgentId;
        string? refusal = agentId is null ? ErrorCodes.NoDefaultAgent
            : !AgentIds.IsValid(agentId) || !_context.MayUse(agentId) ? ErrorCodes.InvalidAgentId
            : !_pump.Capabilities.ResumableRuns ? ErrorCodes.NotResumable
            : frame.ConversationId is not null && !_pump.Capabilities.Conversations ? ErrorCodes.UnsupportedFrame
            : _follows.Count >= _options.MaxFollows ? ErrorCodes.TooManyTurns
            : _follows.ContainsKey(id) ? ErrorCodes.BadFrame
            : null;
        if (refusal is not null)
        {
            string message = refusal switch
            {
                ErrorCodes.NoDefaultAgent => "This socket has no agent: send \"agent_id\" with the follow request.",
                ErrorCodes.InvalidAgentId => "Unknown or invalid agent id.",
                ErrorCodes.NotResumable => "Runs on this server cannot be re-attached, so there is nothing to follow.",
                ErrorCodes.UnsupportedFrame => "This server's Letta has no conversations.",
                ErrorCodes.TooManyTurns => $"At most {_options.MaxFollows} follows may run on one connection.",
                _ => "That follow id is already in use on this connection.",
            };
            await RejectAsync(refusal, message, id, agentId).ConfigureAwait(false);
            return;
        }

        try
        {
            // The objects are checked once, before anything is promised.
            await _pump.FindActiveRunsAsync(agentId!, frame.ConversationId, _turns.Aborted).ConfigureAwait(false);
        }
        catch (UpstreamException e)
        {
            await RejectAsync(e.Code, e.Message, id, agentId, e.Detail, retryable: e.Retryable).ConfigureAwait(false);
            return;
        }

        var follow = CancellationTokenSource.CreateLinkedTokenSource(_turns.Aborted);
        if (!_follows.TryAdd(id, follow))
        {
            follow.Dispose();
            return;
        }

        await _turns.Output.WriteAsync(StreamChunk.FollowingFrame(new FollowInfo(id, agentId!, frame.ConversationId)), _turns.Aborted).ConfigureAwait(false);
        _ = FollowAsync(id, agentId!, frame.ConversationId, follow.Token);
    }

    /// <summary><c>unfollow</c>: no new runs are attached; turns already followed run to their end.</summary>
    private void Unfollow(string id)
    {
        if (_follows.TryRemove(id, out CancellationTokenSource? follow))
        {
            follow.Cancel();
            follow.Dispose();
        }
    }

    /// <summary>Remembers the runs this socket's own turns started (a follow skips them).</summary>
    private void OnTurnStopped(Turn turn)
    {
        if (!turn.Info.Followed && turn.Info.RunId is { } run && _ownRuns.TryAdd(run, 0))
        {
            _ownRunOrder.Enqueue(run);
            while (_ownRunOrder.Count > OwnRunsRemembered && _ownRunOrder.TryDequeue(out string? old))
            {
                _ownRuns.TryRemove(old, out _);
            }
        }
    }

    private async Task FollowAsync(string followId, string agentId, string? conversationId, CancellationToken token)
    {
        var attached = new HashSet<string>(StringComparer.Ordinal);
        try
        {
            while (!token.IsCancellationRequested)
            {
                IReadOnlyList<string> runs;
                try
                {
                    runs = await _pump.FindActiveRunsAsync(agentId, conversationId, token).ConfigureAwait(false);
                }
                catch (UpstreamException)
                {
                    runs = []; // Letta is unwell: ask again next time
                }

                // Oldest first; a run is skipped while one of this socket's own turns on the agent has not
                // learnt its run id yet (that run may be it).
                foreach (string run in runs.Reverse())
                {
                    if (attached.Contains(run) || IsOwnRun(run) || OwnTurnWithoutRun(agentId))
                    {
                        continue;
                    }

                    if (Attach(followId, agentId, conversationId, run))
                    {
                        attached.Add(run);
                    }
                }

                await Task.Delay(_options.FollowPollInterval, _time, token).ConfigureAwait(false);
            }
        }
        catch (OperationCanceledException)
        {
        }
        catch (Exception e) when (e is not OutOfMemoryException)
        {
            Log.FrameFailed(_logger, _context.ConnectionId, ClientFrameType.Follow, followId, e);
        }
    }

    private bool IsOwnRun(string run) =>
        _ownRuns.ContainsKey(run) || _turns.RunningTurns().Any(t => !t.Info.Followed && t.Info.RunId == run);

    private bool OwnTurnWithoutRun(string agentId) =>
        _turns.RunningTurns().Any(t => !t.Info.Followed && t.Info.AgentId == agentId && t.Info.RunId is null && !t.IsFinished);

    /// <summary>Starts a followed turn: a resume of <paramref name="run"/> from its first event. False when
    /// the agent is busy on this socket (tried again at the next poll).</summary>
    private bool Attach(string followId, string agentId, string? conversationId, string run)
    {
        string id = $"{followId}:{run}";
        var frame = new ClientFrame { Type = ClientFrameType.Resume, Id = id, RunId = run, AfterSeq = 0, AgentId = agentId, ConversationId = conversationId };
        AdmitResult admitted = _turns.Admit(id, agentId, predecessor => CreateTurn(frame, id, agentId, predecessor, followed: true));
        if (admitted.Refusal != AdmitRefusal.None)
        {
            return admitted.Refusal == AdmitRefusal.DuplicateId;
        }

        Log.TurnStarted(_logger, _context.ConnectionId, id, agentId);
        _ = _pump.StartAsync(admitted.Turn!, _turns);
        return true;
    }

    private void EndFollows()
    {
        foreach (string id in _follows.Keys)
        {
            Unfollow(id);
        }
    }
}
