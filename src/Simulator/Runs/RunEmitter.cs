using LettaSockets.Simulator.History;
using LettaSockets.Simulator.Wire;

namespace LettaSockets.Simulator.Runs;

/// <summary>
/// The single writer of a run's frames. Assigns background sequence numbers (every chunk takes one,
/// Letta's background runs), checks before each agent message whether a cancel was noticed (pattern B, Letta's cancellation) or a run-level
/// fault is due, and hands frames to the run's log and live output.
/// </summary>
internal sealed partial class RunEmitter(
    SimRun run,
    LiveRunOutput? live,
    FrameWriter frames,
    SimFault? fault,
    CancellationToken cancelObserved,
    TimeProvider time,
    long startTimestamp,
    TurnRecorder recorder)
{
    private long _nextSeq = 1;
    private bool _hugeSent;

    public FrameWriter Frames => frames;

    public string RunId => run.Id;

    /// <summary>Events handed out so far, the initial ping included (the K of <see cref="SimFault.AfterEvents"/>).</summary>
    public int EventsEmitted { get; private set; }

    public bool AnyAgentMessage { get; private set; }

    public ValueTask PingAsync()
    {
        var seq = NextSeq();
        return PublishAsync(RunChunkKind.Ping, seq, frames.Ping(run.Id, seq));
    }

    /// <summary>Runs the per-message checks, then returns the envelope (with its seq id) to render.</summary>
    public async ValueTask<Envelope> BeginMessageAsync(string id, string? name, string otid, string? stepId)
    {
        await CheckBeforeMessageAsync().ConfigureAwait(false);
        return new Envelope(id, name, otid, stepId, NextSeq(), run.Id);
    }

    public ValueTask PublishMessageAsync(in Envelope envelope, byte[] frame) =>
        PublishAsync(RunChunkKind.Message, envelope.SeqId, frame);

    /// <summary>An agent step ended: Letta stores its messages now.</summary>
    public void StepCompleted() => recorder.Commit();

    public async ValueTask CheckBeforeMessageAsync()
    {
        cancelObserved.ThrowIfCancellationRequested();
        if (fault is null || EventsEmitted < fault.AfterEvents)
        {
            return;
        }

        if (fault.Kind != FaultKind.HugeEvent)
        {
            throw new InjectedFaultException(fault);
        }

        if (!_hugeSent)
        {
            _hugeSent = true;
            var id = LettaIds.NewMessageId();
            var envelope = new Envelope(id, null, LettaIds.Otid(id, 0), LettaIds.NewStepId(), NextSeq(), run.Id);
            await PublishMessageAsync(envelope, frames.Assistant(envelope, HugeText(fault.Size))).ConfigureAwait(false);
        }
    }

    /// <summary>Letta's SSE framing normal ending (or Letta's cancellation pattern A with <c>cancelled</c>): stop_reason, usage_statistics, [DONE].</summary>
    public async ValueTask<RunOutcome> EndAsync(string stopReason, UsageTotals usage, bool checkFirst = true)
    {
        if (checkFirst)
        {
            await CheckBeforeMessageAsync().ConfigureAwait(false);
        }

        await PublishAsync(RunChunkKind.StopReason, Skip(), frames.StopReason(stopReason)).ConfigureAwait(false);
        await PublishAsync(RunChunkKind.Usage, Skip(), frames.Usage(usage)).ConfigureAwait(false);
        await PublishAsync(RunChunkKind.Done, Skip(), SseFrames.Done).ConfigureAwait(false);
        return RunOutcome.From(stopReason);
    }

    /// <summary>Letta's cancellation pattern B: the spaced stop_reason, then EOF (background: then [DONE] in the store).</summary>
    public async ValueTask<RunOutcome> EndCancelledMidStreamAsync()
    {
        await PublishAsync(RunChunkKind.StopReason, Skip(), SseFrames.CancelledSpaced).ConfigureAwait(false);
        if (run.Background)
        {
            await PublishAsync(RunChunkKind.Done, Skip(), SseFrames.Done).ConfigureAwait(false);
        }

        return new RunOutcome(SimRunStatus.Cancelled, "cancelled");
    }

    private long? NextSeq() => run.Background ? _nextSeq++ : null;

    /// <summary>stop_reason, usage_statistics and [DONE] take a sequence number but have no seq_id field (Letta's background runs).</summary>
    private long? Skip()
    {
        NextSeq();
        return null;
    }

    private ValueTask PublishAsync(RunChunkKind kind, long? seq, byte[] frame)
    {
        EventsEmitted++;
        if (kind == RunChunkKind.Message && !AnyAgentMessage)
        {
            AnyAgentMessage = true;
            run.MarkFirstMessage((long)time.GetElapsedTime(startTimestamp).TotalNanoseconds);
        }

        if (kind == RunChunkKind.Message)
        {
            recorder.Add(frame);
        }

        var chunk = new RunChunk(kind, seq, frame);
        run.Log.Append(chunk);
        return live?.WriteAsync(chunk) ?? ValueTask.CompletedTask;
    }

    private static string HugeText(int size) => string.Create(size, 0, static (span, _) =>
    {
        const string Pattern = "The quick brown fox jumps over the lazy dog. ";
        for (var i = 0; i < span.Length; i++)
        {
            span[i] = Pattern[i % Pattern.Length];
        }
    });
}
