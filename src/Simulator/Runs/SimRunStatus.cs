namespace LettaSockets.Simulator;

/// <summary>Letta's run statuses (§10).</summary>
public enum SimRunStatus
{
    Created,
    Running,
    Completed,
    Failed,
    Cancelled,
}
