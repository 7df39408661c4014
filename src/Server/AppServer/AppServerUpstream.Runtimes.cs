using System.Text.Json;
using LettaSockets.Protocol.Frames;
using LettaSockets.Server.Upstream;

namespace LettaSockets.Server.AppServer;

/// <summary>The App Server runtimes (one per agent and conversation) this gateway has started: which turn holds each,
/// when a runtime is free for the next input, and forgetting idle ones.</summary>
public sealed partial class AppServerUpstream
{
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
}
