using System.Collections.Concurrent;
using Microsoft.Extensions.Logging;

namespace LettaSockets.Simulator.Runs;

/// <summary>Creates runs and keeps their tasks, so shutdown can stop and await them all.</summary>
internal sealed class RunLauncher(
    RunStore store,
    SimulatorJournal journal,
    SimulatorOptions options,
    MessageHistory history,
    TimeProvider time,
    ILogger logger)
{
    private readonly ConcurrentDictionary<Task, byte> _running = new();
    private readonly CancellationTokenSource _shutdown = new();

    public CancellationToken ShutdownToken => _shutdown.Token;

    /// <summary>Starts the run of <paramref name="request"/> (whose RunId names it); returns its live output in foreground mode.</summary>
    public (SimRun Run, LiveRunOutput? Live) Start(SimAgent agent, SimRequest request, RunMode mode, SimFault? runFault)
    {
        TryStart(agent, request, mode, runFault, lockKey: null, out var run, out var live);
        return (run, live);
    }

    /// <summary>
    /// Like <see cref="Start"/>, but first takes the conversation lock <paramref name="lockKey"/> (Letta's concurrency and otids). When an
    /// active run holds it, starts nothing and returns false with that run in <paramref name="run"/>.
    /// </summary>
    public bool TryStart(SimAgent agent, SimRequest request, RunMode mode, SimFault? runFault, string? lockKey, out SimRun run, out LiveRunOutput? live)
    {
        run = new SimRun(request.RunId, agent.Id, mode, request.StreamTokens, time.GetUtcNow(), journal)
        {
            ConversationId = request.ConversationId,
            Otids = request.Otids,
            LockKey = lockKey,
        };
        live = null;
        if (!store.TryAdd(run, out var holder))
        {
            run = holder;
            return false;
        }

        live = mode == RunMode.Foreground ? new LiveRunOutput() : null;
        var execution = new RunExecution(run, agent, request, runFault, live, options, history, time, logger, _shutdown.Token);
        var task = Task.Run(execution.RunAsync);
        _running.TryAdd(task, 0);
        _ = task.ContinueWith(
            static (finished, state) => ((ConcurrentDictionary<Task, byte>)state!).TryRemove(finished, out _),
            _running,
            CancellationToken.None,
            TaskContinuationOptions.ExecuteSynchronously,
            TaskScheduler.Default);
        return true;
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
