namespace LettaSockets.Simulator.Journal;

/// <summary>An append-only list whose readers can wait for a matching entry instead of polling.</summary>
internal sealed class RecordList<T>
    where T : class
{
    private readonly object _gate = new();
    private readonly List<T> _items = [];
    private readonly List<Waiter> _waiters = [];

    public IReadOnlyList<T> Snapshot()
    {
        lock (_gate)
        {
            return [.. _items];
        }
    }

    public void Add(T item)
    {
        List<Waiter>? matched = null;
        lock (_gate)
        {
            _items.Add(item);
            for (var i = _waiters.Count - 1; i >= 0; i--)
            {
                if (_waiters[i].Match(item))
                {
                    (matched ??= []).Add(_waiters[i]);
                    _waiters.RemoveAt(i);
                }
            }
        }

        // Completed outside the lock: continuations run asynchronously anyway, but the predicate owner
        // may call back into the list.
        foreach (var waiter in matched ?? [])
        {
            waiter.Completion.TrySetResult(item);
        }
    }

    public void Clear()
    {
        lock (_gate)
        {
            _items.Clear();
        }
    }

    public async Task<T> WaitForAsync(Func<T, bool> match, CancellationToken cancellationToken)
    {
        Waiter waiter;
        lock (_gate)
        {
            var existing = _items.Find(item => match(item));
            if (existing is not null)
            {
                return existing;
            }

            waiter = new Waiter(match);
            _waiters.Add(waiter);
        }

        try
        {
            return await waiter.Completion.Task.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
        finally
        {
            lock (_gate)
            {
                _waiters.Remove(waiter);
            }
        }
    }

    private sealed record Waiter(Func<T, bool> Match)
    {
        public TaskCompletionSource<T> Completion { get; } = new(TaskCreationOptions.RunContinuationsAsynchronously);
    }
}
