namespace LettaSockets.Client.Internal;

/// <summary>
/// pending → streaming → ended; a resumable turn whose socket drops goes interrupted → resuming →
/// streaming … and stays the same turn.
/// </summary>
internal enum TurnPhase
{
    Pending,
    Streaming,
    Interrupted,
    Resuming,
    Ended,
}
