namespace LettaSockets.Simulator;

/// <summary>Letta's run statuses (Letta's background runs).</summary>
public enum SimRunStatus
{
    Created,
    Running,
    Completed,
    Failed,
    Cancelled,
}
