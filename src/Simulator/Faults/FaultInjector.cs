namespace LettaSockets.Simulator;

/// <summary>Staged failures, consumed first-in first-out by the requests they match. Thread-safe.</summary>
public sealed class FaultInjector
{
    private readonly object _gate = new();
    private readonly List<Entry> _entries = [];

    /// <summary>The faults not used up yet, with their remaining count in <see cref="SimFault.Times"/>.</summary>
    public IReadOnlyList<SimFault> Pending
    {
        get
        {
            lock (_gate)
            {
                return [.. _entries.Select(e => e.Fault with { Times = e.Remaining })];
            }
        }
    }

    public void Enqueue(SimFault fault)
    {
        ArgumentNullException.ThrowIfNull(fault);
        ArgumentOutOfRangeException.ThrowIfLessThan(fault.Times, 1, nameof(fault));
        lock (_gate)
        {
            _entries.Add(new Entry(fault, fault.Times));
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _entries.Clear();
        }
    }

    /// <summary>Takes one use of the first fault for this endpoint and agent that <paramref name="applies"/> accepts.</summary>
    internal SimFault? TryTake(FaultTarget target, string agentId, Func<SimFault, bool> applies)
    {
        lock (_gate)
        {
            for (var i = 0; i < _entries.Count; i++)
            {
                var entry = _entries[i];
                if (entry.Fault.Target != target
                    || (entry.Fault.AgentId is not null && entry.Fault.AgentId != agentId)
                    || !applies(entry.Fault))
                {
                    continue;
                }

                entry.Remaining--;
                if (entry.Remaining == 0)
                {
                    _entries.RemoveAt(i);
                }

                return entry.Fault;
            }

            return null;
        }
    }

    private sealed class Entry(SimFault fault, int remaining)
    {
        public SimFault Fault { get; } = fault;

        public int Remaining { get; set; } = remaining;
    }
}
