namespace LettaSockets.Server.Tests.Reliability.Fuzz;

/// <summary>
/// Both fuzzers with the real Letta Code App Server in place of the simulator (same model, same
/// budget and replay variables as <see cref="SocketFuzzTests"/>). Shorter sequences and fewer of them
/// in CI: an App Server turn costs a model round trip through node.
/// </summary>
[TestClass]
[DoNotParallelize]
public sealed class AppServerFuzzTests
{
    private const string CiSeed = "0k2Xh7Lw1pQz";
    private const int CiSequences = 40;
    private const int CiGroups = 6;

    private static AppServerFuzzWorld? s_world;

    public TestContext TestContext { get; set; } = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext _) => s_world = await AppServerFuzzWorld.StartAsync();

    [ClassCleanup]
    public static async Task StopAsync()
    {
        if (s_world is not null)
        {
            await s_world.DisposeAsync();
        }
    }

    [TestMethod]
    public async Task Generated_frame_sequences_keep_every_protocol_guarantee_on_the_app_server()
    {
        FuzzBudget budget = FuzzBudget.FromEnvironment(CiSeed, CiSequences);
        TestContext.WriteLine($"fuzz: {budget}");
        long frames = await FuzzSession.SampleAsync(s_world!, FuzzGenerators.Sequence(foreignIds: true, maxLength: 24), budget, TestContext.WriteLine).WaitAsync(budget.Deadline);
        TestContext.WriteLine($"fuzz: {frames} generated frames, {s_world!.ModelRequests} model requests so far");
    }

    [TestMethod]
    public async Task Concurrent_and_aborted_stream_requests_keep_every_guarantee_on_the_app_server()
    {
        FuzzBudget budget = FuzzBudget.FromEnvironment(CiSeed, CiGroups);
        TestContext.WriteLine($"fuzz: {budget}");
        await StreamFuzz.SampleAsync(s_world!, budget, TestContext.WriteLine, maxConcurrent: 4).WaitAsync(budget.Deadline);
    }
}
