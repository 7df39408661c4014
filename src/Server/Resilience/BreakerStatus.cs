namespace LettaSockets.Server.Resilience;

/// <summary>Whether the circuit to Letta is open right now (new turns fail fast), as its breaker reports it.</summary>
internal sealed class BreakerStatus
{
    private int _open;

    public bool IsOpen => Volatile.Read(ref _open) != 0;

    public void Opened() => Volatile.Write(ref _open, 1);

    /// <summary>Closed, or half-open (trial requests go through again).</summary>
    public void Closed() => Volatile.Write(ref _open, 0);
}
