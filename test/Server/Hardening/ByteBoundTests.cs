using System.Diagnostics.Metrics;
using LettaSockets.Protocol.Json;
using LettaSockets.Simulator;
using Microsoft.Extensions.DependencyInjection;

namespace LettaSockets.Server.Tests.Hardening;

/// <summary>
/// docs/PROTOCOL.md, rule 8 and "Slow readers": what a client's behaviour can make the gateway hold is bounded in bytes, not frames —
/// a paced turn with large deltas, a reader that stops — and a paced answer read at its own pace
/// arrives whole, however long Letta's stream waits behind it.
/// </summary>
[TestClass]
public sealed class ByteBoundTests
{
    private const string Buffered = "lettasockets.buffered";

    /// <summary>The most the gateway held at any moment, replaying the gauge's changes in order.</summary>
    private static long PeakBuffered(MetricsRecorder metrics)
    {
        long now = 0, peak = 0;
        foreach (MetricsRecorder.Measured m in metrics.Snapshot().Where(m => m.Instrument == Buffered))
        {
            now += (long)m.Value;
            peak = Math.Max(peak, now);
        }

        return peak;
    }

    [TestMethod]
    public async Task A_paced_turn_holds_its_byte_cap_and_its_answer_arrives_whole_past_the_idle_timeout()
    {
        const int DeltaChars = 2000, Deltas = 6;
        await using TestGateway gateway = await TestGateway.StartAsync(new Dictionary<string, string?>
        {
            ["Sockets:MaxPacedBytes"] = "4096",
            // Letta's stream waits about a second behind each paced delta: far longer than this.
            ["Letta:IdleTimeout"] = "00:00:00.400",
        });
        using var metrics = new MetricsRecorder(gateway.Services.GetRequiredService<IMeterFactory>());
        string agent = gateway.AddAgent(_ => AgentScript.Create().TimestampedDeltas(Deltas, size: DeltaChars));
        await using TestClient client = await gateway.ConnectAsync(agent);

        await client.SendJsonAsync(new { type = "message", id = "p", content = "go", max_chars_per_second = 2000 });
        List<ServerFrame> turn = await client.ReadTurnAsync("p", TimeSpan.FromSeconds(30));

        Assert.AreEqual("done", turn[^1].Type, $"the paced answer ends done, not {turn[^1].Code}");
        Assert.AreEqual(Deltas * DeltaChars, TestClient.Text(turn).Length, "the whole answer arrived");
        long chunk = 128 + (2 * DeltaChars);
        long peak = PeakBuffered(metrics);
        Assert.IsLessThanOrEqualTo(4096 + (2 * chunk), peak, $"held at most the pacer's cap and a delta on its way (peak {peak} bytes; all deltas would be {Deltas * chunk})");
        Assert.AreEqual(0, gateway.Simulator.Journal.Cancels.Count, "the run was not cancelled");
    }

    [TestMethod]
    public async Task A_paced_turn_with_64_KiB_deltas_holds_one_of_them_ahead_at_most_and_arrives_whole()
    {
        const int DeltaChars = 64 * 1024, Deltas = 4;
        const long Cap = 140_000; // room for one 64 Ki-char delta (131,200 bytes), not two
        await using TestGateway gateway = await TestGateway.StartAsync(new Dictionary<string, string?> { ["Sockets:MaxPacedBytes"] = Cap.ToString(System.Globalization.CultureInfo.InvariantCulture) });
        using var metrics = new MetricsRecorder(gateway.Services.GetRequiredService<IMeterFactory>());
        string agent = gateway.AddAgent(_ => AgentScript.Create().TimestampedDeltas(Deltas, size: DeltaChars));
        await using TestClient client = await gateway.ConnectAsync(agent);

        await client.SendJsonAsync(new { type = "message", id = "big", content = "go", max_chars_per_second = 150_000 });
        List<ServerFrame> turn = await client.ReadTurnAsync("big", TimeSpan.FromSeconds(30));

        Assert.AreEqual("done", turn[^1].Type);
        Assert.AreEqual(Deltas * DeltaChars, TestClient.Text(turn).Length, "the whole answer arrived");
        long chunk = 128 + (2 * DeltaChars);
        long peak = PeakBuffered(metrics);
        Assert.IsLessThanOrEqualTo(Cap + chunk, peak, $"one delta waiting in the pacer and one being released at most (peak {peak}; all four would be {Deltas * chunk})");
    }

    [TestMethod]
    public async Task A_reader_that_stops_makes_the_gateway_hold_its_queue_cap_at_most()
    {
        const long Cap = 256 * 1024;
        await using TestGateway gateway = await TestGateway.StartAsync(new Dictionary<string, string?>
        {
            ["Sockets:MaxQueuedBytes"] = Cap.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Sockets:OutboundQueueCapacity"] = "16384",
        });
        using var metrics = new MetricsRecorder(gateway.Services.GetRequiredService<IMeterFactory>());
        string agent = gateway.AddAgent(_ => AgentScript.Create().TimestampedDeltas(60, size: 64 * 1024));
        await using TestClient client = await TestClient.ConnectAsync(gateway.WebSocketUri(agent), SmallReceiveBuffer.Invoker());

        await client.SendMessageAsync("big", "go");
        // The client reads nothing more: the queue fills up to its cap, then the pump stops reading Letta.
        await metrics.WaitForAsync(Buffered, _ => metrics.Sum(Buffered) >= Cap / 2, TimeSpan.FromSeconds(30));
        long chunk = 128 + (2 * 64 * 1024);

        Assert.IsLessThanOrEqualTo(Cap + chunk, PeakBuffered(metrics), "never more than the cap and one oversized delta");
        await client.CancelAsync("big");
        await metrics.WaitForAsync(Buffered, _ => metrics.Sum(Buffered) == 0, TimeSpan.FromSeconds(30));
        Assert.IsLessThanOrEqualTo(Cap + chunk, PeakBuffered(metrics));
    }
    [TestMethod]
    public async Task Over_the_instance_cap_the_connection_holding_the_most_is_closed_as_a_slow_consumer()
    {
        await using TestGateway gateway = await TestGateway.StartAsync(new Dictionary<string, string?>
        {
            ["Limits:MaxBufferedBytes"] = "400000",
            ["Sockets:MaxQueuedBytes"] = "262144",
            ["Sockets:OutboundQueueCapacity"] = "16384",
            ["Sockets:StallTimeout"] = "00:05:00", // the stall rule must not be what closes anyone here
        });
        using var metrics = new MetricsRecorder(gateway.Services.GetRequiredService<IMeterFactory>());
        string agent = gateway.AddAgent(_ => AgentScript.Create().TimestampedDeltas(200, size: 16 * 1024));
        await using TestClient first = await TestClient.ConnectAsync(gateway.WebSocketUri(agent), SmallReceiveBuffer.Invoker());
        await using TestClient second = await TestClient.ConnectAsync(gateway.WebSocketUri(agent), SmallReceiveBuffer.Invoker());

        // Neither client reads: each queue fills towards 256 KiB, together past the 400 kB cap.
        await first.SendMessageAsync("a", "go");
        await second.SendMessageAsync("b", "go");

        MetricsRecorder.Measured shed = await metrics.WaitForAsync("lettasockets.cancels", m => m["cause"] == "slow_consumer", TimeSpan.FromSeconds(30));
        Assert.AreEqual(1, metrics.Snapshot().Count(m => m.Instrument == "lettasockets.cancels" && m["cause"] == "slow_consumer"), "one connection was enough");
        await metrics.WaitForAsync(Buffered, _ => metrics.Sum(Buffered) <= 400_000, TimeSpan.FromSeconds(30));
        Assert.IsNotNull(shed);
    }
}
