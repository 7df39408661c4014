using LettaSockets.Protocol.Json;
using LettaSockets.Server.AppServer;
using Microsoft.Extensions.DependencyInjection;
using System.Diagnostics.Metrics;
using Microsoft.Extensions.Logging;

namespace LettaSockets.Server.Tests.AppServer;

/// <summary>The App Server misbehaving: killed mid-turn, refusing the token, sending frames the gateway does not know.</summary>
[TestClass]
[DoNotParallelize]
public sealed class AppServerFaultTests
{
    private static AppServerStack? s_stack;
    private static LettaCodeServer s_server = null!;
    private static string s_agent = null!;

    [ClassInitialize]
    public static async Task StartAsync(TestContext _)
    {
        s_stack = await AppServerStack.StartAsync();
        s_server = s_stack.Server;
        s_agent = await s_server.CreateAgentAsync("fault-tests");
    }

    [ClassCleanup]
    public static async Task StopAsync()
    {
        if (s_stack is not null)
        {
            await s_stack.DisposeAsync();
        }
    }

    [TestMethod]
    public async Task The_app_server_killed_mid_turn_ends_the_turn_with_one_typed_error_and_a_turn_after_its_restart_works()
    {
        await using TestGateway gateway = await TestGateway.StartAsync(AppServerTests.GatewaySettings(s_stack!));
        await using TestClient client = await gateway.ConnectAsync(s_agent);
        await client.SendMessageAsync("k1", "[slow 100]");
        await client.ReadUntilAsync(f => f.Id == "k1" && f.Type == "chunk", TimeSpan.FromSeconds(60));

        await s_server.KillAsync();
        List<ServerFrame> frames = await client.ReadTurnAsync("k1", TimeSpan.FromSeconds(10)); // not an idle timeout (60 s): the close says it
        await client.BarrierAsync();

        Assert.AreEqual("error", frames[^1].Type);
        Assert.AreEqual("upstream_unavailable", frames[^1].Code);
        Assert.AreEqual(true, frames[^1].Retryable);
        Assert.AreEqual(1, client.Received.Count(f => f.Id == "k1" && f.IsTerminal), "one terminal frame");
        using (HttpClient http = new() { BaseAddress = gateway.BaseUri })
        {
            Assert.AreEqual(System.Net.HttpStatusCode.ServiceUnavailable, (await http.GetAsync(new Uri("/readyz", UriKind.Relative))).StatusCode, "readiness follows the App Server");
        }

        await client.SendMessageAsync("k2", "hello?");
        ServerFrame down = (await client.ReadTurnAsync("k2", TimeSpan.FromSeconds(10)))[^1];
        Assert.AreEqual("upstream_unavailable", down.Code, "while it is down, at once");
        Assert.IsNotNull(down.RetryAfterMs);

        await s_server.StartProcessAsync();
        List<ServerFrame> after = [];
        for (int attempt = 0; attempt < 40; attempt++)
        {
            await client.SendMessageAsync($"k3-{attempt}", "[say back]");
            after = await client.ReadTurnAsync($"k3-{attempt}", TimeSpan.FromSeconds(30));
            if (after[^1].Code != "upstream_unavailable")
            {
                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(Math.Clamp(after[^1].RetryAfterMs ?? 100, 50, 1000))); // a client honouring retry_after_ms
        }

        Assert.AreEqual("back", TestClient.Text(after), string.Join(" | ", after.Select(f => f.Type + ":" + f.Code)));
        Assert.AreEqual("end_turn", after[^1].StopReason);
    }

    [TestMethod]
    public async Task A_wrong_token_is_upstream_unauthorized_and_no_token_reaches_a_frame_or_a_log_line()
    {
        var logs = new LogCapture();
        string wrong = "wrong-token-" + Guid.NewGuid().ToString("N");
        await using TestGateway gateway = await TestGateway.StartAsync(AppServerTests.GatewaySettings(s_stack!, wrong), services: s => s.AddSingleton<ILoggerProvider>(logs));
        await using TestClient client = await gateway.ConnectAsync(s_agent);
        List<ServerFrame> frames = [];
        for (int attempt = 0; attempt < 20; attempt++)
        {
            await client.SendMessageAsync($"u{attempt}", "hi");
            frames = await client.ReadTurnAsync($"u{attempt}", TimeSpan.FromSeconds(30));
            if (frames[^1].Code == "upstream_unauthorized")
            {
                break;
            }

            await Task.Delay(TimeSpan.FromMilliseconds(frames[^1].RetryAfterMs ?? 200)); // still connecting: as told
        }

        Assert.AreEqual("upstream_unauthorized", frames[^1].Code);
        Assert.AreEqual(false, frames[^1].Retryable);
        await client.BarrierAsync();
        string everything = string.Join('\n', client.Received.Select(f => System.Text.Json.JsonSerializer.Serialize(f)))
            + string.Join('\n', logs.Entries.Select(e => e.Message + " " + e.Exception));
        Assert.IsFalse(everything.Contains(wrong, StringComparison.Ordinal), "the configured token is in no frame and no log line");
        Assert.IsFalse(everything.Contains(s_server.Token, StringComparison.Ordinal));
        Assert.IsTrue(logs.Entries.Any(e => e.EventId.Id == 8002), "the refusal is logged (without the token)");
    }

    [TestMethod]
    public async Task Frames_the_gateway_does_not_know_are_ignored_and_counted_and_the_turn_goes_on()
    {
        await using AppServerRelay relay = await AppServerRelay.StartAsync(s_server.WebSocketUrl);
        Dictionary<string, string?> settings = AppServerTests.GatewaySettings(s_stack!);
        settings["Letta:BaseUrl"] = relay.Url.ToString();
        await using TestGateway gateway = await TestGateway.StartAsync(settings);
        using var metrics = new MetricsRecorder(gateway.Services.GetRequiredService<IMeterFactory>());
        await using TestClient client = await gateway.ConnectAsync(s_agent, o => o.SetRequestHeader("Origin", gateway.BaseUri.GetLeftPart(UriPartial.Authority)));
        string runtime = $"{{\"agent_id\":\"{s_agent}\",\"conversation_id\":\"default\"}}";
        relay.InjectAfter("\"text\":\" w1\"",
            $"{{\"type\":\"future_frame\",\"runtime\":{runtime},\"payload\":{{\"x\":1}}}}",
            $"{{\"type\":\"stream_delta\",\"delta\":{{\"message_type\":\"hologram_message\",\"run_id\":\"r\"}},\"runtime\":{runtime}}}");

        await client.SendMessageAsync("n1", "[slow 3]");
        List<ServerFrame> frames = await client.ReadTurnAsync("n1", TimeSpan.FromSeconds(60));

        Assert.AreEqual(" w1 w2 w3", TestClient.Text(frames));
        Assert.AreEqual("end_turn", frames[^1].StopReason);
        Assert.AreEqual(1, metrics.Sum("lettasockets.upstream.ignored", ("type", "future_frame")));
        Assert.AreEqual(1, metrics.Sum("lettasockets.upstream.ignored", ("type", "stream_delta:hologram_message")));
        Assert.IsTrue(relay.Upgrades.All(h => !h.ContainsKey("Origin")), "a client's Origin is never forwarded upstream");
        Assert.IsTrue(relay.Upgrades.All(h => h.Authorization.ToString() == "Bearer " + s_server.Token), "the token goes as the bearer header");
    }
}
