namespace LettaSockets.Simulator.Runs;

/// <summary>Thrown inside a run when a run-level fault is due; the run turns it into the fault's ending.</summary>
internal sealed class InjectedFaultException(SimFault fault) : Exception($"Injected fault {fault.Kind}.")
{
    public SimFault Fault { get; } = fault;
}
