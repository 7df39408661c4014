using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace LettaSockets.Simulator.Runs;

/// <summary>Creates runs and keeps their tasks, so shutdown can stop and await them all.</summary>
internal sealed class RunLauncher(
    RunStore store,
    SimulatorJournal journal,
    SimulatorOptions options,
    TimeProvider time,
    ILogger logger)
{
    private readonly ConcurrentDictionary<Task, byte> _running = new();
    private readonly CancellationTokenSource _shutdown = new();

    public CancellationToken ShutdownToken => _shutdown.Token;

    /// <summary>Starts the run of <paramref name="request"/> (whose RunId names it); returns its live output in foreground mode.</summary>
    public (SimRun Run, LiveRunOutput? Live) Start(SimAgent agent, SimRequest request, RunMode mode, SimFault? runFault)
    {
        var run = new SimRun(request.RunId, agent.Id, mode, request.StreamTokens, time.GetUtcNow(), journal);
        store.Add(run);
        var live = mode == RunMode.Foreground ? new LiveRunOutput() : null;
        var execution = new RunExecution(run, agent, request, runFault, live, options, time, logger, _shutdown.Token);
        var task = Task.Run(execution.RunAsync);
        _running.TryAdd(task, 0);
        _ = task.ContinueWith(
            static (finished, state) => ((ConcurrentDictionary<Task, byte>)state!).TryRemove(finished, out _),
            _running,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return (run, live);
    }

    public async Task ShutdownAsync(TimeSpan timeout)
    {
        await _shutdown.CancelAsync().ConfigureAwait(false);
        try
        {
            await Task.WhenAll(_running.Keys).WaitAsync(timeout).ConfigureAwait(false);
        }
        catch (TimeoutException)
        {
            // A behaviour that ignores cancellation must not hold the host hostage.
        }
        catch (Exception)
        {
            // Each run already logged its own failure.
        }
    }
}
