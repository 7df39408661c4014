using LettaSockets.Protocol.Json;
using LettaSockets.Simulator;

namespace LettaSockets.Server.Tests.Sockets;

/// <summary>A resume cursor outside what a run can have is refused as such, never as a retryable outage.</summary>
[TestClass]
public sealed class ResumeCursorTests
{
    private static TestGateway s_gateway = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext _) => s_gateway = await TestGateway.StartAsync();

    [ClassCleanup]
    public static async Task StopAsync() => await s_gateway.DisposeAsync();

    [TestMethod]
    public async Task A_cursor_no_run_can_reach_is_a_bad_frame()
    {
        string agent = s_gateway.AddAgent(_ => AgentScript.Create().Say("short"));
        await using TestClient client = await s_gateway.ConnectAsync(agent);

        await client.SendJsonAsync(new { type = "resume", id = "far", run_id = "run-00000000-0000-4000-8000-000000000000", after_seq = 1_000_000_000_000_000L });
        ServerFrame error = (await client.ReadTurnAsync("far"))[^1];

        Assert.AreEqual("bad_frame", error.Code);
        Assert.IsFalse(error.Retryable);
    }

    [TestMethod]
    public async Task A_cursor_past_the_end_of_a_finished_run_is_a_clear_non_retryable_error()
    {
        string agent = s_gateway.AddAgent(_ => AgentScript.Create().Say("a short answer"));
        await using TestClient client = await s_gateway.ConnectAsync(agent);
        await client.SendJsonAsync(new { type = "message", id = "m", content = "hi", resumable = true });
        List<ServerFrame> turn = await client.ReadTurnAsync("m");
        string runId = turn.First(f => f.RunId is not null).RunId!;
        long last = turn.Where(f => f.Seq is not null).Max(f => f.Seq!.Value);

        await client.SendJsonAsync(new { type = "resume", id = "past", run_id = runId, after_seq = last + 1000 });
        ServerFrame error = (await client.ReadTurnAsync("past"))[^1];

        Assert.AreEqual("error", error.Type);
        Assert.AreEqual("cursor_out_of_range", error.Code, error.Message);
        Assert.IsFalse(error.Retryable, "retrying the same cursor can never work");
    }
}
