using System.Diagnostics;
using System.Threading.Channels;
using LettaSockets.Protocol.Chunks;
using LettaSockets.Protocol.Frames;
using LettaSockets.Server.Observability;
using LettaSockets.Server.Upstream;

namespace LettaSockets.Server.Turns;

/// <summary>
/// Runs one turn: opens (or re-attaches to) Letta's stream, maps every event to frames on the
/// host's bounded queue, and ends with exactly one terminal frame unless a cancel claimed it first.
/// After a cancel it stays silent, makes sure Letta's cancel endpoint is called with the run id, and
/// keeps draining (bounded) until Letta has wound the run down. A paced turn's frames go through
/// its <see cref="TurnPacer"/> on the way to the host; the pump itself never waits for the pace.
/// </summary>
public sealed partial class TurnPump(IUpstream letta, Security.ObjectAuthorizer authorizer, LettaSocketsMetrics metrics, TimeProvider time, ILogger<TurnPump> logger)
{
    /// <summary>What the upstream behind this pump can serve (for turn admission).</summary>
    public UpstreamCapabilities Capabilities => letta.Capabilities;

    /// <summary>Starts the pump; the returned task never faults.</summary>
    public Task StartAsync(Turn turn, ITurnHost host)
    {
        turn.Pump = RunAsync(turn, host);
        return turn.Pump;
    }

    private async Task RunAsync(Turn turn, ITurnHost host)
    {
        TurnState info = turn.Info;
        IUpstreamStream? stream = null;
        var mapper = new LettaChunkMapper(info, letta.Capabilities.ReportsToolStart);
        var frames = new List<StreamChunk>(4);
        using IDisposable? scope = logger.BeginScope(new TurnLogScope(info));
        using Activity? span = LettaSocketsTelemetry.StartTurn(info.Id, info.AgentId, turn.Request.ConversationId);
        metrics.TurnStarted();
        TurnPacer? pacer = TurnPacer.For(turn, host, time);
        var output = new TurnOutput(host, pacer);
        var batch = new DeltaBatch(host.JoinsDeltas && pacer is null);
        StreamChunk? terminal = null;
        try
        {
            await EmitAsync(turn, output, StreamChunk.StatusFrame(info, StatusKind.Thinking)).ConfigureAwait(false);
            if (!await WaitForPredecessorAsync(turn).ConfigureAwait(false))
            {
                return;
            }

            // Every object the frame names must be the turn's agent's (docs/PROTOCOL.md, rule 7), checked before
            // anything is sent to Letta or any id is used, even by a cancel.
            await authorizer.AuthorizeAsync(info.AgentId, turn.RequestedRunId, turn.Request.ConversationId, turn.UpstreamToken).ConfigureAwait(false);
            stream = turn.ResumeAfterSeq is { } afterSeq
                ? await ResumeAsync(turn, afterSeq, output).ConfigureAwait(false)
                : await letta.OpenStreamAsync(turn.Request, turn.UpstreamToken).ConfigureAwait(false);

            IAsyncEnumerator<LettaEvent> events = stream.ReadAsync(turn.UpstreamToken).GetAsyncEnumerator(turn.UpstreamToken);
            try
            {
                while (true)
                {
                    ValueTask<bool> next = events.MoveNextAsync();
                    if (!next.IsCompletedSuccessfully)
                    {
                        await HandOverAsync(turn, output, batch).ConfigureAwait(false); // nothing more is ready: no delta waits
                    }

                    if (!await next.ConfigureAwait(false))
                    {
                        break;
                    }

                    LettaEvent e = events.Current;
                    if (info.IsCancelled)
                    {
                        batch.Clear();
                        if (WindDown(turn, e))
                        {
                            break;
                        }

                        continue;
                    }

                    frames.Clear();
                    mapper.Map(e, frames);
                    for (int k = 0; k < frames.Count; k++)
                    {
                        await QueueAsync(turn, output, batch, frames[k]).ConfigureAwait(false);
                    }

                    if (mapper.IsFinished)
                    {
                        break;
                    }
                }
            }
            finally
            {
                await events.DisposeAsync().ConfigureAwait(false);
            }

            if (!info.IsCancelled)
            {
                await HandOverAsync(turn, output, batch).ConfigureAwait(false);
                terminal = await FinishAsync(turn, output, mapper, frames).ConfigureAwait(false);
            }
        }
        catch (UpstreamException e) when (!info.IsCancelled)
        {
            Log.UpstreamFailed(logger, info.Id, info.AgentId, info.RunId, e.Code, e.StatusCode);
            await HandOverAsync(turn, output, batch).ConfigureAwait(false); // what arrived before the failure still goes out
            if (e.Code is ErrorCodes.UpstreamTimeout or ErrorCodes.UpstreamUnavailable)
            {
                turn.StopRunIfAbandoned(RunStop.Lost); // we stop listening to a run Letta may still be executing
            }

            terminal = info.Fail(ToError(e));
            await TerminalAsync(turn, output, terminal.Value).ConfigureAwait(false);
        }
        catch (Exception e) when (info.IsCancelled && e is OperationCanceledException or UpstreamException)
        {
            // Cancelled while opening or reading: the canceller already sent the terminal frame.
        }
        catch (Exception e) when (e is not OperationCanceledException || !host.Aborted.IsCancellationRequested)
        {
            Log.TurnCrashed(logger, info.Id, info.AgentId, e);
            turn.StopRunIfAbandoned(RunStop.Lost); // the gateway no longer follows a run Letta may still run
            terminal = info.Fail(new ErrorInfo(ErrorCodes.Internal, "The gateway failed while relaying this turn.", Retryable: true));
            await TerminalAsync(turn, output, terminal.Value).ConfigureAwait(false);
        }
        finally
        {
            batch.Clear();
            if (info.IsCancelled)
            {
                turn.StopRunIfAbandoned(RunStop.Cancelled);
            }

            if (stream is not null)
            {
                await stream.DisposeAsync().ConfigureAwait(false);
            }

            if (pacer is not null)
            {
                await pacer.DrainAsync().ConfigureAwait(false);
            }

            await turn.CancelCall.ConfigureAwait(false);
            metrics.TurnEnded(info.StartedTimestamp, info.Metrics, info.IsCancelled ? info.CancelledBy : null, terminal, turn.IsDetached);
            EndSpan(span, info, terminal);
            host.OnPumpStopped(turn);
        }
    }

    private static void EndSpan(Activity? span, TurnState info, StreamChunk? terminal)
    {
        if (span is null)
        {
            return;
        }

        span.SetTag("lettasockets.run.id", info.RunId);
        switch (terminal?.Payload)
        {
            case DoneInfo done:
                span.SetTag("gen_ai.response.finish_reasons", done.StopReason);
                break;
            case ErrorInfo error:
                span.SetTag("error.type", error.Code);
                span.SetStatus(ActivityStatusCode.Error, error.Code);
                break;
            default:
                span.SetTag("gen_ai.response.finish_reasons", info.IsCancelled ? StopReasons.Cancelled : null);
                span.SetTag("lettasockets.cancelled_by", info.IsCancelled ? info.CancelledBy.ToString() : null);
                break;
        }
    }

    /// <summary>Handles an event that arrives after a cancel; true when the pump can stop reading.</summary>
    private static bool WindDown(Turn turn, in LettaEvent e)
    {
        TurnState info = turn.Info;
        if (info.RunId is null && e.RunId is not null)
        {
            info.RunId = e.RunId;
        }

        if (info.RunId is not null)
        {
            if (turn.IsDetached)
            {
                return true; // Letta keeps the background run going; the client resumes it later
            }

            turn.StopRunIfAbandoned(RunStop.Cancelled);
            if (info.CancelledBy != CancelledBy.Client)
            {
                return true; // nobody waits for this run to stop: abandon the stream now
            }
        }

        return e.Kind is LettaEventKind.Done or LettaEventKind.Error;
    }

    /// <summary>Re-attaches a resume turn: to the run the client named, or — when it only knew its request
    /// id — to the run its own input started, found by that input's otid (never another turn's run).</summary>
    private async Task<IUpstreamStream> ResumeAsync(Turn turn, long afterSeq, TurnOutput output)
    {
        TurnState info = turn.Info;
        IUpstreamStream stream;
        if (turn.RequestedRunId is { } runId)
        {
            info.RunId = runId;
            stream = await letta.ResumeStreamAsync(runId, afterSeq, turn.UpstreamToken).ConfigureAwait(false);
        }
        else
        {
            stream = await letta.ResumeTurnStreamAsync(info.AgentId, turn.Request.ConversationId, TurnOtid.For(info.AgentId, info.Id), afterSeq, turn.UpstreamToken).ConfigureAwait(false);
        }

        await EmitAsync(turn, output, StreamChunk.StatusFrame(info, StatusKind.Running)).ConfigureAwait(false);
        return stream;
    }

    private static async Task<bool> WaitForPredecessorAsync(Turn turn)
    {
        if (turn.Predecessor is not { IsCompleted: false } previous)
        {
            return true;
        }

        try
        {
            // The previous turn of this agent was cancelled and Letta is still winding it down:
            // wait (bounded) rather than overlap two runs on one agent (docs/PROTOCOL.md, rule 6).
            await previous.WaitAsync(turn.Options.WindDownTimeout, turn.OutputToken).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
        }
        catch (OperationCanceledException)
        {
            return false;
        }

        return !turn.Info.IsCancelled;
    }

    private static async Task<StreamChunk> FinishAsync(Turn turn, TurnOutput output, LettaChunkMapper mapper, List<StreamChunk> frames)
    {
        frames.Clear();
        mapper.FlushApprovals(frames);
        foreach (StreamChunk frame in frames)
        {
            await EmitAsync(turn, output, frame).ConfigureAwait(false);
        }

        TurnState info = turn.Info;
        TurnOutcome outcome = mapper.Outcome;
        long ended = Stopwatch.GetTimestamp();
        StreamChunk terminal = outcome switch
        {
            { Error: { } error } => info.Fail(AgentError(error, outcome.StopReason)),
            { StopReason: null, Error: null } when turn.ResumeAfterSeq is { } cursor && info.LastSeq <= cursor =>
                info.Fail(new ErrorInfo(ErrorCodes.CursorOutOfRange, $"Nothing follows after_seq {cursor} in this run: the cursor is at or past its end.")),
            { SawInvalidEvent: true } => info.Fail(ToError(UpstreamErrors.BrokenStream("Letta sent an event that is not valid JSON."))),
            { StopReason: null } => info.Fail(ToError(UpstreamErrors.BrokenStream("The stream ended without a stop_reason."))),
            { StopReason: StopReasons.Cancelled } => info.Done(new DoneInfo(StopReasons.Cancelled, CancelledBy.Upstream, outcome.Usage, ended)),
            { StopReason: { } reason } when TurnOutcome.IsSuccess(reason) => info.Done(new DoneInfo(reason, CancelledBy.None, outcome.Usage, ended)),
            _ => info.Fail(new ErrorInfo(ErrorCodes.AgentError, $"The agent stopped with '{outcome.StopReason}'.") { StopReason = outcome.StopReason }),
        };

        if (terminal.Kind == ChunkKind.Error && outcome.Error is null && outcome.StopReason is null)
        {
            turn.StopRunIfAbandoned(RunStop.Lost); // a broken stream: the run may still be going
        }

        await TerminalAsync(turn, output, terminal).ConfigureAwait(false);
        return terminal;
    }

    private static ErrorInfo AgentError(LettaError error, string? stopReason)
    {
        bool retryable = error.ErrorType is "llm_rate_limit" or "llm_timeout" or "stream_incomplete" or "llm_empty_response";
        string detail = error.Detail is { Length: > 0 } d ? $"{error.ErrorType}: {d}" : error.ErrorType ?? "error";
        return new ErrorInfo(ErrorCodes.AgentError, error.Message ?? "The agent failed.", retryable) { StopReason = stopReason, Detail = detail };
    }

    /// <summary>
    /// Answers a <c>history</c> request: the agent's (or conversation's) stored messages as one
    /// <c>history</c> frame, after the same object checks a turn gets (the conversation must be the
    /// agent's); an <c>error</c> frame with the request's id otherwise. Never throws for an upstream failure.
    /// </summary>
    public async Task<StreamChunk> ReadHistoryAsync(string id, string agentId, string? conversationId, int limit, string? before, CancellationToken cancellationToken)
    {
        try
        {
            await authorizer.AuthorizeAsync(agentId, null, conversationId, cancellationToken).ConfigureAwait(false);
            HistoryPage page = await letta.ListMessagesAsync(agentId, conversationId, limit, before, cancellationToken).ConfigureAwait(false);
            return StreamChunk.HistoryFrame(new HistoryInfo(id, agentId, conversationId, page.Messages, page.HasMore, page.Before));
        }
        catch (UpstreamException e)
        {
            return StreamChunk.Failure(null, ToError(e) with { Id = id, AgentId = agentId });
        }
    }

    /// <summary>The active resumable runs a follower of the agent (or its conversation) may attach to,
    /// after the same object checks a turn gets. Throws <see cref="UpstreamException"/>.</summary>
    public async Task<IReadOnlyList<string>> FindActiveRunsAsync(string agentId, string? conversationId, CancellationToken cancellationToken)
    {
        await authorizer.AuthorizeAsync(agentId, null, conversationId, cancellationToken).ConfigureAwait(false);
        return await letta.ListActiveRunsAsync(agentId, conversationId, cancellationToken).ConfigureAwait(false);
    }

    private static ErrorInfo ToError(UpstreamException e) =>
        new(e.Code, e.Message, e.Retryable)
        {
            RetryAfterMs = e.RetryAfter is { } wait ? (long)Math.Ceiling(wait.TotalMilliseconds) : null,
            Detail = e.Detail,
        };

    /// <summary>Queues a content frame; a cancel wakes a blocked write and the frame is dropped.</summary>
    private static ValueTask EmitAsync(Turn turn, TurnOutput output, StreamChunk chunk)
    {
        // Nearly always there is room: the frame is queued without the asynchronous machinery (a cancelled
        // turn's frame is not queued, as WriteAsync would not queue it either).
        if (!turn.OutputToken.IsCancellationRequested && output.Frames.TryWrite(chunk))
        {
            return ValueTask.CompletedTask;
        }

        return EmitWhenRoomAsync(turn, output, chunk);
    }

    private static async ValueTask EmitWhenRoomAsync(Turn turn, TurnOutput output, StreamChunk chunk)
    {
        try
        {
            await output.Frames.WriteAsync(chunk, turn.OutputToken).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (turn.OutputToken.IsCancellationRequested)
        {
        }
        catch (ChannelClosedException)
        {
        }
    }

    /// <summary>Joins a delta to the batch; anything the batch cannot take goes out after what it holds
    /// (a delta of another message then starts the next batch).</summary>
    private static ValueTask QueueAsync(Turn turn, TurnOutput output, DeltaBatch batch, StreamChunk frame) =>
        batch.TryAdd(frame) ? ValueTask.CompletedTask : HandOverThenQueueAsync(turn, output, batch, frame);

    private static async ValueTask HandOverThenQueueAsync(Turn turn, TurnOutput output, DeltaBatch batch, StreamChunk frame)
    {
        await HandOverAsync(turn, output, batch).ConfigureAwait(false);
        if (!batch.TryAdd(frame))
        {
            await EmitAsync(turn, output, frame).ConfigureAwait(false);
        }
    }

    /// <summary>Queues the deltas batched so far as one chunk, if there are any.</summary>
    private static ValueTask HandOverAsync(Turn turn, TurnOutput output, DeltaBatch batch) =>
        batch.TryTake(out StreamChunk merged) ? EmitAsync(turn, output, merged) : ValueTask.CompletedTask;

    /// <summary>Queues the terminal frame if this pump still holds the right to send it.</summary>
    private static async ValueTask TerminalAsync(Turn turn, TurnOutput output, StreamChunk terminal)
    {
        if (!output.TryClaimTerminal(turn))
        {
            return;
        }

        try
        {
            await output.Frames.WriteAsync(terminal, output.Aborted).ConfigureAwait(false);
        }
        catch (Exception e) when (e is OperationCanceledException or ChannelClosedException)
        {
        }
    }
}
