using LettaSockets.Simulator.Scripts;
using LettaSockets.Simulator.Wire;

namespace LettaSockets.Simulator.Runs;

/// <summary>
/// Plays an <see cref="AgentScript"/> as Letta's agent loop would stream it: token deltas with a delay
/// before each (token mode), or each step's messages whole once the step is done (step mode, Letta's token and step streaming).
/// </summary>
internal sealed partial class ScriptPlayer(
    RunEmitter emit,
    AgentScript script,
    SimRun run,
    SimRequest request,
    double pace,
    TimeProvider time,
    CancellationToken cancellation)
{
    private readonly UsageCounter _usage = new(request.UserText, script.Usage);
    private readonly List<PendingMessage> _pending = [];

    public async ValueTask<RunOutcome> PlayAsync()
    {
        foreach (var step in script.Steps)
        {
            // Letta's cancellation pattern A: the agent loop looks at the run's status before every step.
            if (run.CancelRequested)
            {
                return await emit.EndAsync("cancelled", _usage.Totals(), checkFirst: false).ConfigureAwait(false);
            }

            var state = new StepState();
            foreach (var part in step.Parts)
            {
                if (request.StreamTokens)
                {
                    await PlayTokensAsync(part, state).ConfigureAwait(false);
                }
                else
                {
                    await PlayWholeAsync(part, state).ConfigureAwait(false);
                }
            }

            await FlushPendingAsync().ConfigureAwait(false);
            emit.StepCompleted();
            _usage.StepDone();
        }

        return await emit.EndAsync(script.StopReason, _usage.Totals()).ConfigureAwait(false);
    }

    private async ValueTask DelayAsync(TimeSpan scripted)
    {
        var scaled = scripted * pace;
        if (scaled <= TimeSpan.Zero)
        {
            cancellation.ThrowIfCancellationRequested();
            return;
        }

        await Task.Delay(scaled, time, cancellation).ConfigureAwait(false);
    }

    private async ValueTask EmitAsync(string id, string? name, string otid, string stepId, Func<Envelope, byte[]> render)
    {
        var envelope = await emit.BeginMessageAsync(id, name, otid, stepId).ConfigureAwait(false);
        await emit.PublishMessageAsync(envelope, render(envelope)).ConfigureAwait(false);
    }

    private ValueTask EmitToolReturnAsync(StepState step, string name, string result, string status, string callId,
        IReadOnlyList<string>? stdout, IReadOnlyList<string>? stderr)
    {
        // A tool return is not part of the LLM response: its own id, otid index 0 (Letta's token and step streaming).
        var id = LettaIds.NewMessageId();
        return EmitAsync(id, name, LettaIds.Otid(id, 0), step.StepId,
            e => emit.Frames.ToolReturn(e, result, status, callId, stdout, stderr));
    }

    private async ValueTask TimestampedAsync(StepState step, TimestampedDeltasPart part)
    {
        var otid = step.Otid("assistant_message");
        var template = new TimestampedDeltaTemplate(
            emit.Frames, new Envelope(step.MessageId, null, otid, step.StepId, null, run.Id), time);
        var interval = part.PerSecond > 0 ? time.TimestampFrequency / part.PerSecond : 0;
        var start = time.GetTimestamp();
        for (var i = 0; i < part.Count; i++)
        {
            if (interval > 0)
            {
                var due = start + (long)(i * interval);
                var wait = time.GetElapsedTime(time.GetTimestamp(), due);
                if (wait > TimeSpan.Zero)
                {
                    await Task.Delay(wait, time, cancellation).ConfigureAwait(false);
                }
            }

            // Stopwatch, not the TimeProvider: receivers compare it with their own CLOCK_MONOTONIC reading.
            var timestamp = System.Diagnostics.Stopwatch.GetTimestamp();
            if (run.Background)
            {
                var content = TimestampedDeltaTemplate.Content(timestamp, part.Size);
                await EmitAsync(step.MessageId, null, otid, step.StepId, e => emit.Frames.Assistant(e, content))
                    .ConfigureAwait(false);
            }
            else
            {
                await emit.CheckBeforeMessageAsync().ConfigureAwait(false);
                var envelope = new Envelope(step.MessageId, null, otid, step.StepId, null, run.Id);
                await emit.PublishMessageAsync(envelope, template.Render(timestamp, part.Size)).ConfigureAwait(false);
            }
        }

        _usage.AddCompletion(part.Count);
    }

    private readonly record struct PendingMessage(string Id, string? Name, string Otid, string StepId, Func<Envelope, byte[]> Render);
}
