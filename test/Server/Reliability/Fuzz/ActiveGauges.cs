using System.Diagnostics.Metrics;

namespace LettaSockets.Server.Tests.Reliability.Fuzz;

/// <summary>
/// The gateway's open connections and running turn pumps as absolute counts: running totals of their
/// up-down counters from before the world's first connection. A session checks that both are back to
/// zero at its end, and waits for them to be zero before it starts, so a session that failed (and
/// left turns winding down) cannot be blamed on the next one while CsCheck shrinks.
/// </summary>
public sealed class ActiveGauges : IDisposable
{
    private const string ConnectionsName = "lettasockets.connections.active";
    private const string TurnsName = "lettasockets.turns.active";
    private readonly MeterListener _listener = new();
    private readonly Lock _gate = new();
    private long _connections;
    private long _turns;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ActiveGauges(IMeterFactory scope)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "LettaSockets" && ReferenceEquals(instrument.Meter.Scope, scope) && instrument.Name is ConnectionsName or TurnsName)
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((instrument, value, _, _) => Add(instrument.Name, value));
        _listener.Start();
    }

    public long Connections
    {
        get
        {
            lock (_gate)
            {
                return _connections;
            }
        }
    }

    public long Turns
    {
        get
        {
            lock (_gate)
            {
                return _turns;
            }
        }
    }

    /// <summary>True when no connection is open and no turn pump runs.</summary>
    public bool Idle => Connections == 0 && Turns == 0;

    /// <summary>Waits, at most <paramref name="timeout"/>, for <paramref name="condition"/> on the counts,
    /// re-checked at every change; false when the time ran out first.</summary>
    public async Task<bool> WaitUntilAsync(Func<ActiveGauges, bool> condition, TimeSpan timeout)
    {
        DateTime deadline = DateTime.UtcNow + timeout;
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (condition(this))
                {
                    return true;
                }

                changed = _changed.Task;
            }

            TimeSpan left = deadline - DateTime.UtcNow;
            if (left <= TimeSpan.Zero)
            {
                return condition(this);
            }

            try
            {
                await changed.WaitAsync(left);
            }
            catch (TimeoutException)
            {
                return condition(this);
            }
        }
    }

    public void Dispose() => _listener.Dispose();

    private void Add(string name, long value)
    {
        TaskCompletionSource changed;
        lock (_gate)
        {
            if (name == ConnectionsName)
            {
                _connections += value;
            }
            else
            {
                _turns += value;
            }

            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }
}
