namespace LettaSockets.Simulator.Runs;

/// <summary>Told when a run enters and leaves the running state (the journal counts overlaps).</summary>
internal interface IRunTracker
{
    void RunStarted(string agentId);

    void RunStopped(string agentId);
}
