using System.Diagnostics.Metrics;

namespace LettaSockets.Testing;

/// <summary>Listens to one gateway's <c>LettaSockets</c> meter (other gateways in the process are
/// told apart by their <see cref="IMeterFactory"/>) and lets a test wait for a measurement.</summary>
public sealed class MetricsRecorder : IDisposable
{
    private readonly MeterListener _listener = new();
    private readonly Lock _gate = new();
    private readonly List<Measured> _measured = [];
    private readonly List<(Func<Measured, bool> Match, TaskCompletionSource<Measured> Done)> _waiters = [];

    public MetricsRecorder(IMeterFactory scope)
    {
        _listener.InstrumentPublished = (instrument, listener) =>
        {
            if (instrument.Meter.Name == "LettaSockets" && ReferenceEquals(instrument.Meter.Scope, scope))
            {
                listener.EnableMeasurementEvents(instrument);
            }
        };
        _listener.SetMeasurementEventCallback<long>((i, value, tags, _) => Record(i, value, tags));
        _listener.SetMeasurementEventCallback<double>((i, value, tags, _) => Record(i, value, tags));
        _listener.Start();
    }

    public IReadOnlyList<Measured> Snapshot()
    {
        lock (_gate)
        {
            return [.. _measured];
        }
    }

    /// <summary>The sum of an instrument's measurements whose tags include <paramref name="tags"/>.</summary>
    public double Sum(string instrument, params (string Key, string Value)[] tags) =>
        Snapshot().Where(m => m.Instrument == instrument && m.Has(tags)).Sum(m => m.Value);

    /// <summary>Waits (bounded) for a measurement of <paramref name="instrument"/> that matches; earlier ones count.</summary>
    public async Task<Measured> WaitForAsync(string instrument, Func<Measured, bool>? match = null, TimeSpan? timeout = null)
    {
        Func<Measured, bool> predicate = m => m.Instrument == instrument && (match?.Invoke(m) ?? true);
        var done = new TaskCompletionSource<Measured>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_gate)
        {
            if (_measured.FirstOrDefault(predicate) is { } seen)
            {
                return seen;
            }

            _waiters.Add((predicate, done));
        }

        try
        {
            return await done.Task.WaitAsync(timeout ?? TestClient.DefaultTimeout);
        }
        catch (TimeoutException)
        {
            throw new AssertFailedException($"No {instrument} measurement matched; seen: {string.Join("; ", Snapshot())}");
        }
    }

    /// <summary>Waits (bounded) until <paramref name="count"/> measurements of <paramref name="instrument"/> matched.</summary>
    public async Task WaitForCountAsync(string instrument, Func<Measured, bool> match, int count, TimeSpan? timeout = null)
    {
        int seen;
        lock (_gate)
        {
            seen = _measured.Count(m => m.Instrument == instrument && match(m));
        }

        for (; seen < count; seen++)
        {
            int target = seen + 1;
            await WaitForAsync(instrument, m => match(m) && CountMatching(instrument, match) >= target, timeout);
        }
    }

    private int CountMatching(string instrument, Func<Measured, bool> match)
    {
        lock (_gate)
        {
            return _measured.Count(m => m.Instrument == instrument && match(m));
        }
    }

    public void Dispose() => _listener.Dispose();

    private void Record(Instrument instrument, double value, ReadOnlySpan<KeyValuePair<string, object?>> tags)
    {
        var measured = new Measured(instrument.Name, value, tags.ToArray().ToDictionary(t => t.Key, t => t.Value?.ToString()));
        lock (_gate)
        {
            _measured.Add(measured);
            foreach (var waiter in _waiters.Where(w => w.Match(measured)).ToList())
            {
                _waiters.Remove(waiter);
                waiter.Done.TrySetResult(measured);
            }
        }
    }

    public sealed record Measured(string Instrument, double Value, Dictionary<string, string?> Tags)
    {
        public string? this[string key] => Tags.GetValueOrDefault(key);

        public bool Has((string Key, string Value)[] tags) => tags.All(t => this[t.Key] == t.Value);

        public override string ToString() => $"{Instrument}={Value} {string.Join(",", Tags.Select(t => $"{t.Key}:{t.Value}"))}";
    }
}
