namespace LettaSockets.Server.Tests.Reliability.Fuzz;

/// <summary>
/// <see cref="StreamFuzz"/> on the embedded simulator: an aborted request's run must be cancelled in
/// Letta (its journal), unless it ended by itself first. Budget and replay as <see cref="SocketFuzzTests"/>.
/// </summary>
[TestClass]
public sealed class StreamFuzzTests
{
    private const string CiSeed = "0Z8mQ1xkW3Lb";
    private const int CiIterations = 40;

    private static SimulatorFuzzWorld s_world = null!;

    public TestContext TestContext { get; set; } = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext _) => s_world = await SimulatorFuzzWorld.StartAsync();

    [ClassCleanup]
    public static async Task StopAsync()
    {
        if (s_world is not null)
        {
            await s_world.DisposeAsync();
        }
    }

    [TestMethod]
    public async Task Concurrent_and_aborted_stream_requests_keep_every_guarantee()
    {
        FuzzBudget budget = FuzzBudget.FromEnvironment(CiSeed, CiIterations);
        TestContext.WriteLine($"fuzz: {budget}");
        await StreamFuzz.SampleAsync(s_world, budget, TestContext.WriteLine).WaitAsync(budget.Deadline);
    }
}
