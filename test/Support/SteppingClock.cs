using System.Threading.Channels;
using Microsoft.Extensions.Time.Testing;

namespace LettaSockets.Testing;

/// <summary>
/// A <see cref="FakeTimeProvider"/> that tells the test when the code under test has started
/// waiting: every timer it creates (a <c>Task.Delay</c> on this provider) is signalled, so a test
/// can advance the clock exactly when the code is asleep, without sleeping itself.
/// </summary>
public sealed class SteppingClock : FakeTimeProvider
{
    private readonly Channel<bool> _created = Channel.CreateUnbounded<bool>();
    private long _nextDueTicks;

    public SteppingClock()
        : base(DateTimeOffset.UnixEpoch)
    {
    }

    public override ITimer CreateTimer(TimerCallback callback, object? state, TimeSpan dueTime, TimeSpan period)
    {
        ITimer timer = base.CreateTimer(callback, state, dueTime, period);
        Volatile.Write(ref _nextDueTicks, (GetUtcNow() + dueTime).UtcTicks);
        _created.Writer.TryWrite(true);
        return timer;
    }

    /// <summary>Moves the clock to when the newest timer is due, plus <paramref name="late"/>: a timer
    /// that wakes on time, or one that wakes late by that much.</summary>
    public void AdvanceToNextTimer(TimeSpan late)
    {
        TimeSpan untilDue = new DateTimeOffset(Volatile.Read(ref _nextDueTicks), TimeSpan.Zero) - GetUtcNow();
        Advance((untilDue > TimeSpan.Zero ? untilDue : TimeSpan.Zero) + late);
    }

    /// <summary>Completes when the next timer has been created (or one was created since the last call).</summary>
    public Task NextTimerAsync(CancellationToken cancellationToken) => _created.Reader.ReadAsync(cancellationToken).AsTask();
}
