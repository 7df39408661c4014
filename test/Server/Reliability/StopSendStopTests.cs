using LettaSockets.Protocol.Json;
using LettaSockets.Simulator;

namespace LettaSockets.Server.Tests.Reliability;

/// <summary>
/// Stop, send, Stop again on one socket: the second turn is cancelled while it still waits for its
/// cancelled predecessor to wind down. The connection must stay open and both turns end
/// <c>done</c>/<c>cancelled</c> (docs/PROTOCOL.md rules 1, 3, 5 and 6).
/// </summary>
[TestClass]
public sealed class StopSendStopTests
{
    private static TestGateway s_gateway = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext _) =>
        // A Letta-like wind-down: cancelled runs take a while to stop (Letta polls for cancels).
        s_gateway = await TestGateway.StartAsync(simulator: o => o.CancelPollInterval = TimeSpan.FromMilliseconds(500));

    [ClassCleanup]
    public static async Task StopAsync() => await s_gateway.DisposeAsync();

    private static string SlowAgent() => s_gateway.AddAgent(_ =>
        AgentScript.Create().Say(string.Join(' ', Enumerable.Range(1, 50).Select(i => $"n{i}"))).WithTokenDelay(TimeSpan.FromMilliseconds(20)));

    [TestMethod]
    [DataRow(true, DisplayName = "cancel by id")]
    [DataRow(false, DisplayName = "cancel without id")]
    public async Task Stop_send_stop_back_to_back_keeps_the_connection_and_ends_both_turns_cancelled(bool byId)
    {
        string agent = SlowAgent();
        await using TestClient client = await s_gateway.ConnectAsync(agent);

        for (int round = 0; round < 5; round++)
        {
            string a = $"a{round}", b = $"b{round}";
            await client.SendMessageAsync(a, "count to 50");
            await client.CancelAsync(byId ? a : null);
            await client.SendMessageAsync(b, "count to 50");
            await client.CancelAsync(byId ? b : null);

            await client.ReadUntilAsync(_ => client.Received.Count(f => f.IsTerminal && (f.Id == a || f.Id == b)) == 2);
            await client.BarrierAsync();

            foreach (string id in new[] { a, b })
            {
                ServerFrame[] terminals = client.Received.Where(f => f.Id == id && f.IsTerminal).ToArray();
                Assert.AreEqual(1, terminals.Length, $"exactly one terminal frame for {id}");
                Assert.AreEqual("done", terminals[0].Type, $"{id} ends with done");
                Assert.AreEqual("cancelled", terminals[0].StopReason);
                Assert.AreEqual("client", terminals[0].CancelledBy);
            }
        }

        Assert.IsNull(client.CloseStatus, "the connection stays open");
        Assert.IsTrue(s_gateway.Simulator.Journal.MaxConcurrentRunsPerAgent(agent) <= 1, "a turn cancelled while waiting never lets the next overlap the run it waited for");
        Assert.IsFalse(client.Received.Any(f => f.Type == "error"), "no error frame: " + string.Join(", ", client.Received.Where(f => f.Type == "error").Select(f => f.Code)));
    }
}
