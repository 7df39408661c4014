using LettaSockets.Simulator.History;
using LettaSockets.Simulator.Wire;
using Microsoft.Extensions.Logging;

namespace LettaSockets.Simulator.Runs;

/// <summary>
/// One run's life on its own task, independent of any HTTP response (Letta shields the stream, Letta's cancellation):
/// start, initial ping, the script, then exactly one ending. A poller notices cancels every
/// <see cref="SimulatorOptions.CancelPollInterval"/>, as Letta's wrapper does.
/// </summary>
internal sealed partial class RunExecution(
    SimRun run,
    SimAgent agent,
    SimRequest request,
    SimFault? runFault,
    LiveRunOutput? live,
    SimulatorOptions options,
    MessageHistory history,
    TimeProvider time,
    ILogger logger,
    CancellationToken shutdown)
{
    public async Task RunAsync()
    {
        var start = time.GetTimestamp();
        var outcome = new RunOutcome(SimRunStatus.Failed, "error");

        // Not disposed: the poll timer may still fire once after the run ends, and it has no timer of its own.
        var cancelObserved = new CancellationTokenSource();
        var pollInterval = options.CancelPollInterval > TimeSpan.Zero ? options.CancelPollInterval : TimeSpan.FromMilliseconds(1);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancelObserved.Token, shutdown);
        using var poller = time.CreateTimer(
            static state =>
            {
                var (polledRun, observed) = ((SimRun, CancellationTokenSource))state!;
                if (polledRun.CancelRequested)
                {
                    observed.Cancel();
                }
            },
            (run, cancelObserved),
            pollInterval,
            pollInterval);

        var recorder = new TurnRecorder(history, request, run.CreatedAt);
        var emitter = new RunEmitter(run, live, new FrameWriter(time), runFault, cancelObserved.Token, time, start, recorder);
        try
        {
            run.TryStart();
            Log.RunStarted(logger, run.Id, run.AgentId, request.StreamTokens, run.Background);
            outcome = await PlayAsync(emitter, linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (cancelObserved.IsCancellationRequested && !shutdown.IsCancellationRequested)
        {
            outcome = await emitter.EndCancelledMidStreamAsync().ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (shutdown.IsCancellationRequested)
        {
            outcome = new RunOutcome(SimRunStatus.Cancelled, "cancelled");
        }
        catch (InjectedFaultException injected)
        {
            outcome = await emitter.EndWithFaultAsync(injected.Fault).ConfigureAwait(false);
        }
        catch (Exception exception)
        {
            Log.BehaviourFailed(logger, exception, run.Id, run.AgentId);
            outcome = await emitter.EndWithExceptionAsync(exception).ConfigureAwait(false);
        }
        finally
        {
            // Whatever the last (unfinished) step produced is stored too, so a reload shows what the client saw.
            recorder.Commit();
            live?.Complete();
            run.Finish(outcome.Status, outcome.StopReason, time.GetUtcNow(), (long)time.GetElapsedTime(start).TotalNanoseconds);
            Log.RunEnded(logger, run.Id, run.Status, run.StopReason);
        }
    }

    private async ValueTask<RunOutcome> PlayAsync(RunEmitter emitter, CancellationToken cancellation)
    {
        if (request.IncludePings && run.Streaming)
        {
            // Letta's keep-alive pings: the immediate initial ping tells the client the run id before any output.
            await emitter.PingAsync().ConfigureAwait(false);
        }

        var script = agent.Behaviour(request);
        var player = new ScriptPlayer(emitter, script, run, request, options.PaceMultiplier, time, cancellation);
        return await player.PlayAsync().ConfigureAwait(false);
    }
}
