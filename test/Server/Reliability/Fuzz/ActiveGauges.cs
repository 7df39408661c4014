using System.Diagnostics.Metrics;

namespace LettaSockets.Server.Tests.Reliability.Fuzz;

/// <summary>
/// The gateway's open connections, running turn pumps and bytes buffered for clients as absolute counts:
/// running totals of their up-down counters from before the world's first connection. A session checks that both are back to
/// zero at its end, and waits for them to be zero before it starts, so a session that failed (and
/// left turns winding down) cannot be blamed on the next one while CsCheck shrinks.
/// </summary>
public sealed class ActiveGauges : IDisposable
{
    private const string ConnectionsName = "lettasockets.connections.active";
    private const string TurnsName = "lettasockets.turns.active";
    private const string BufferedName = "lettasockets.buffered";
    private readonly MeterListener _listener = new();
    private readonly Lock _gate = new();
    private long _connections;
    private long _turns;
    private long _buffered;
    private TaskCompletionSource _changed = new(TaskCreationOptions.RunContinuationsAsynchronously);

    public ActiveGauges(IMeterFactory scope)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "LettaSockets" && ReferenceEquals(instrument.Meter.Scope, scope) && instrument.Name is ConnectionsName or TurnsName or BufferedName)
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

    /// <summary>Bytes buffered for clients (outbound queues and paced turns).</summary>
    public long Buffered
    {
        get
        {
            lock (_gate)
            {
                return _buffered;
            }
        }
    }

    /// <summary>True when no connection is open, no turn pump runs and no byte is buffered.</summary>
    public bool Idle => Connections == 0 && Turns == 0 && Buffered == 0;

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
            switch (name)
            {
                case ConnectionsName:
                    _connections += value;
                    break;
                case TurnsName:
                    _turns += value;
                    break;
                default:
                    _buffered += value;
                    break;
            }

            changed = _changed;
            _changed = new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
        }

        changed.TrySetResult();
    }
}
