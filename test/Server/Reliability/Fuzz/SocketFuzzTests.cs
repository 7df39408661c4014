namespace LettaSockets.Server.Tests.Reliability.Fuzz;

/// <summary>
/// Model-based fuzzing of one WebSocket connection: random sequences of client frames with random
/// small delays against the gateway and its simulator, each judged by <see cref="ProtocolModel"/>.
/// <c>dotnet test</c> runs a fixed seed on a short budget; <c>LETTASOCKETS_FUZZ_SECONDS</c> runs it
/// for that long from random seeds, and <c>LETTASOCKETS_FUZZ_SEED</c> replays a seed CsCheck printed
/// for a failure (CsCheck shrinks a failing sequence towards the shortest one that still fails).
/// </summary>
[TestClass]
public sealed class SocketFuzzTests
{
    /// <summary>The seed CI runs; any CsCheck seed string works.</summary>
    private const string CiSeed = "0N0XIzNsQ0O2";
    private const int CiIterations = 150;

    private static SimulatorFuzzWorld s_world = null!;

    public TestContext TestContext { get; set; } = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext _)
    {
        s_world = await SimulatorFuzzWorld.StartAsync();
        s_world.ForeignRunId = await ForeignRuns.StartFinishedBackgroundRunAsync(s_world);
        s_world.ForeignConversationId = s_world.Gateway.Simulator.Conversations.Create(s_world.ForeignAgent);
    }

    [ClassCleanup]
    public static async Task StopAsync()
    {
        if (s_world is not null)
        {
            await s_world.DisposeAsync();
        }
    }

    [TestMethod]
    public async Task Generated_frame_sequences_keep_every_protocol_guarantee()
    {
        FuzzBudget budget = FuzzBudget.FromEnvironment(CiSeed, CiIterations);
        TestContext.WriteLine($"fuzz: {budget}");
        bool foreignIds = Environment.GetEnvironmentVariable("LETTASOCKETS_FUZZ_NO_FOREIGN") is null;
        long frames = await FuzzSession.SampleAsync(s_world, FuzzGenerators.Sequence(foreignIds), budget, TestContext.WriteLine).WaitAsync(budget.Deadline);
        TestContext.WriteLine($"fuzz: {frames} generated frames");
    }
}
