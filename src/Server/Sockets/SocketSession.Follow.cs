using System.Collections.Concurrent;
using LettaSockets.Protocol.Chunks;
using LettaSockets.Protocol.Frames;
using LettaSockets.Server.Turns;
using LettaSockets.Server.Upstream;

namespace LettaSockets.Server.Sockets;

public sealed partial class SocketSession
{
    private ConcurrentDictionary<string, TurnFollower>? _follows; // made by the first follow: most connections never follow

    private ConcurrentDictionary<string, TurnFollower> Follows =>
        LazyInitializer.EnsureInitialized(ref _follows, static () => new(StringComparer.Ordinal));

    /// <summary>
    /// <c>follow</c> (the dispatcher's part; <see cref="TurnFollower"/> polls): from now on, every resumable run of the agent (or of its conversation) that is active
    /// in Letta and was not started by this socket streams here too, from its first event, as a turn of its
    /// own (<c>id</c> = <c>&lt;follow id&gt;:&lt;run id&gt;</c>, frames marked <c>followed</c>) — started by
    /// another tab, device or gateway instance. Letta is asked every <see cref="Connections.SocketOptions.FollowPollInterval"/>.
    /// The same agent, scope and object checks as a turn; answered by one <c>following</c> frame.
    /// </summary>
    private async ValueTask StartFollowAsync(ClientFrame frame, string id)
    {
        if (await CheckObjectRequestAsync(frame, id, "follow").ConfigureAwait(false) is not { } agentId)
        {
            return;
        }

        (string Code, string Message)? refusal = !_pump.Capabilities.ResumableRuns ? (ErrorCodes.NotResumable, "Runs on this server cannot be re-attached, so there is nothing to follow.")
            : Follows.Count >= _options.MaxFollows ? (ErrorCodes.TooManyTurns, $"At most {_options.MaxFollows} follows may run on one connection.")
            : Follows.ContainsKey(id) ? (ErrorCodes.BadFrame, "That follow id is already in use on this connection.")
            : null;
        if (refusal is { } r)
        {
            await RejectAsync(r.Code, r.Message, id, agentId).ConfigureAwait(false);
            return;
        }

        try
        {
            // The objects are checked once, before anything is promised.
            await _pump.FindActiveRunsAsync(agentId, frame.ConversationId, _turns.Aborted).ConfigureAwait(false);
        }
        catch (UpstreamException e)
        {
            await RejectAsync(e.Code, e.Message, id, agentId, e.Detail, retryable: e.Retryable).ConfigureAwait(false);
            return;
        }

        var follower = new TurnFollower(agentId, frame.ConversationId, _pump, _turns, _turns.OwnRuns, run => Attach(id, agentId, frame.ConversationId, run), _time, _options.FollowPollInterval);
        if (!Follows.TryAdd(id, follower))
        {
            follower.Dispose();
            return;
        }

        await _turns.Output.WriteAsync(StreamChunk.FollowingFrame(new FollowInfo(id, agentId, frame.ConversationId)), _turns.Aborted).ConfigureAwait(false);
        follower.Start();
    }

    /// <summary><c>unfollow</c>: no new runs are attached; turns already followed run to their end.</summary>
    private void Unfollow(string id)
    {
        if (Volatile.Read(ref _follows) is { } follows && follows.TryRemove(id, out TurnFollower? follower))
        {
            follower.Stop();
            follower.Dispose();
        }
    }

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
        if (Volatile.Read(ref _follows) is not { } follows)
        {
            return;
        }

        foreach (string id in follows.Keys)
        {
            Unfollow(id);
        }
    }
}
