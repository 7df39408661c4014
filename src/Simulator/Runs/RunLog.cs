namespace LettaSockets.Simulator.Runs;

/// <summary>
/// The frames a run produced, in order; for background runs the store that readers replay and tail
/// (index + 1 is the frame's sequence number, Letta's background runs). Thread-safe; readers wait without polling.
/// </summary>
internal sealed class RunLog(int capacity)
{
    private readonly object _gate = new();
    private readonly List<RunChunk> _chunks = [];
    private TaskCompletionSource? _changed;
    private bool _completed;

    public int Count
    {
        get
        {
            lock (_gate)
            {
                return _chunks.Count;
            }
        }
    }

    public IReadOnlyList<RunChunk> Snapshot()
    {
        lock (_gate)
        {
            return [.. _chunks];
        }
    }

    public void Append(RunChunk chunk)
    {
        TaskCompletionSource? changed;
        lock (_gate)
        {
            if (_completed || _chunks.Count >= capacity)
            {
                return;
            }

            _chunks.Add(chunk);
            changed = _changed;
            _changed = null;
        }

        changed?.TrySetResult();
    }

    public void Complete()
    {
        TaskCompletionSource? changed;
        lock (_gate)
        {
            _completed = true;
            changed = _changed;
            _changed = null;
        }

        changed?.TrySetResult();
    }

    public bool TryRead(int index, out RunChunk chunk)
    {
        lock (_gate)
        {
            if (index < _chunks.Count)
            {
                chunk = _chunks[index];
                return true;
            }
        }

        chunk = default;
        return false;
    }

    /// <summary>True once a chunk at <paramref name="index"/> exists; false when the log ended before it.</summary>
    public async ValueTask<bool> WaitForAsync(int index, CancellationToken cancellationToken)
    {
        while (true)
        {
            Task changed;
            lock (_gate)
            {
                if (index < _chunks.Count)
                {
                    return true;
                }

                if (_completed)
                {
                    return false;
                }

                _changed ??= new TaskCompletionSource(TaskCreationOptions.RunContinuationsAsynchronously);
                changed = _changed.Task;
            }

            await changed.WaitAsync(cancellationToken).ConfigureAwait(false);
        }
    }
}
