namespace LettaSockets.Simulator;

/// <summary>Runs the simulator as a stand-in Letta server.</summary>
public static class SimulatorProgram
{
    public static Task<int> Main(string[] args) => Task.FromResult(0);
}
