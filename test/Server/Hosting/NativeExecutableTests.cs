using System.Net;
using System.Text;
using System.Text.Json;
using LettaSockets.Protocol.Json;
using LettaSockets.Simulator;

namespace LettaSockets.Server.Tests.Hosting;

/// <summary>
/// The gateway as it ships: the published native executable (Native AOT — trimmed, no JIT, JSON,
/// configuration binding and options validation by source generators) run as a child process with its
/// embedded simulator. What trimming or AOT could break is checked end to end: static files and probes,
/// turns over WebSockets and SSE, cancel, bad frames, client keys bound from configuration, and invalid
/// settings refused at start. <see cref="NativeGateway"/> says where the executable comes from.
/// </summary>
[TestClass]
public sealed class NativeExecutableTests
{
    private const string AdaKey = "ada-only-0123456789abcdef";
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(30);
    private static GatewayProcess? s_gateway;

    [ClassCleanup]
    public static async Task StopAsync()
    {
        if (s_gateway is { } gateway)
        {
            s_gateway = null;
            await gateway.DisposeAsync();
        }
    }

    /// <summary>One native gateway for the tests that need no settings of their own.</summary>
    private static async Task<GatewayProcess> GatewayAsync() =>
        s_gateway ??= await NativeGateway.StartAsync("--urls=http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning", "--Simulator:PaceMultiplier=0.2");

    private static Uri Ws(GatewayProcess gateway, string agentId) => new UriBuilder(gateway.Url) { Scheme = "ws", Path = $"/ws/{agentId}" }.Uri;

    private static HttpClient Http(GatewayProcess gateway) => new() { BaseAddress = gateway.Url, Timeout = s_timeout };

    [TestMethod]
    public async Task The_probes_answer_and_the_page_and_the_agent_list_are_served()
    {
        GatewayProcess gateway = await GatewayAsync();
        using HttpClient http = Http(gateway);

        using HttpResponseMessage live = await http.GetAsync("/healthz");
        using HttpResponseMessage ready = await http.GetAsync("/readyz");
        using HttpResponseMessage page = await http.GetAsync("/");
        string readiness = await ready.Content.ReadAsStringAsync();
        using JsonDocument readyJson = JsonDocument.Parse(readiness);
        string published = Path.Combine(Path.GetDirectoryName(await NativeGateway.ExecutableAsync())!, "wwwroot", "index.html");
        using JsonDocument agents = JsonDocument.Parse(await http.GetStringAsync("/api/agents"));

        Assert.AreEqual(HttpStatusCode.OK, live.StatusCode);
        Assert.AreEqual(HttpStatusCode.OK, ready.StatusCode, readiness);
        Assert.AreEqual("Healthy", readyJson.RootElement.GetProperty("status").GetString(), readiness);
        Assert.AreEqual(HttpStatusCode.OK, page.StatusCode);
        Assert.AreEqual("text/html", page.Content.Headers.ContentType?.MediaType);
        Assert.AreEqual(await File.ReadAllTextAsync(published), await page.Content.ReadAsStringAsync(), "the page published beside the executable");
        CollectionAssert.IsSubsetOf(
            new[] { DemoAgents.AdaId, DemoAgents.DiceId, DemoAgents.SageId, DemoAgents.BenchId, DemoAgents.ApproverId },
            agents.RootElement.EnumerateArray().Select(a => a.GetProperty("id").GetString()).ToList());
    }

    [TestMethod]
    public async Task A_message_streams_chunks_and_tool_frames_and_ends_with_done()
    {
        GatewayProcess gateway = await GatewayAsync();
        await using TestClient client = await TestClient.ConnectAsync(Ws(gateway, DemoAgents.AdaId));

        await client.SendMessageAsync("count", "count to 40");
        List<ServerFrame> count = await client.ReadTurnAsync("count", s_timeout);
        await client.SendMessageAsync("dice", "roll a d20", DemoAgents.DiceId);
        List<ServerFrame> dice = await client.ReadTurnAsync("dice", s_timeout);

        Assert.AreEqual("letta-sockets.v1", client.Ready.Protocol);
        Assert.AreEqual(DemoAgents.AdaId, client.Ready.AgentId);
        StringAssert.StartsWith(count.Single(f => f.Status == "running").RunId, "run-");
        Assert.IsTrue(count.Count(f => f.Type == "chunk") > 1, "token by token");
        Assert.AreEqual(string.Join(' ', Enumerable.Range(1, 40)), TestClient.Text(count));
        Assert.AreEqual("done", count[^1].Type);
        Assert.AreEqual("end_turn", count[^1].StopReason);
        Assert.IsNotNull(count[^1].Usage, "done carries usage");
        Assert.IsNotNull(count[^1].Metrics, "done carries metrics");

        Assert.IsTrue(dice.Any(f => f.Type == "reasoning"), "the reasoning is relayed");
        Assert.AreEqual("roll_dice", dice.First(f => f.Type == "tool_call").Name);
        ServerFrame result = dice.Single(f => f.Type == "tool_result");
        Assert.AreEqual("success", result.Status);
        StringAssert.Contains(TestClient.Text(dice), $"You rolled a **{result.Result}** on a 20-sided die.");
        Assert.AreEqual(DemoAgents.DiceId, dice[^1].AgentId);
        Assert.AreEqual("end_turn", dice[^1].StopReason);
    }

    [TestMethod]
    public async Task A_cancel_mid_turn_ends_it_with_done_cancelled()
    {
        GatewayProcess gateway = await GatewayAsync();
        await using TestClient client = await TestClient.ConnectAsync(Ws(gateway, DemoAgents.AdaId));

        await client.SendMessageAsync("long", "count to 20000");
        await client.ReadUntilAsync(f => f.Id == "long" && f.Type == "chunk", s_timeout);
        await client.CancelAsync("long");
        ServerFrame done = (await client.ReadTurnAsync("long", s_timeout))[^1];

        Assert.AreEqual("done", done.Type);
        Assert.AreEqual("cancelled", done.StopReason);
        Assert.AreEqual("client", done.CancelledBy);
        Assert.IsTrue(TestClient.Text(client.Received.Where(f => f.Id == "long")).Length < AdaTextLength(20000), "the turn stopped before its end");
        await client.SendMessageAsync("next", "count to 3");
        Assert.AreEqual("1 2 3", TestClient.Text(await client.ReadTurnAsync("next", s_timeout)), "the agent answers again");
    }

    [TestMethod]
    public async Task Malformed_frames_get_an_error_and_the_socket_stays_usable()
    {
        GatewayProcess gateway = await GatewayAsync();
        await using TestClient client = await TestClient.ConnectAsync(Ws(gateway, DemoAgents.AdaId));

        foreach ((string text, string code) in new[] { ("{\"type\":\"message\",", "bad_frame"), ("{\"type\":\"message\",\"content\":42}", "bad_frame"), ("{\"type\":\"teleport\"}", "unknown_type") })
        {
            await client.SendAsync(text);
            ServerFrame error = await client.ReceiveAsync(s_timeout);
            Assert.AreEqual("error", error.Type, text);
            Assert.AreEqual(code, error.Code, text);
            Assert.IsFalse(string.IsNullOrWhiteSpace(error.Message), text);
        }

        await client.SendMessageAsync("ok", "count to 5");
        List<ServerFrame> turn = await client.ReadTurnAsync("ok", s_timeout);
        Assert.AreEqual("1 2 3 4 5", TestClient.Text(turn));
        Assert.AreEqual("done", turn[^1].Type);
    }

    [TestMethod]
    public async Task A_post_to_stream_is_an_sse_turn_and_a_bad_body_gets_400()
    {
        GatewayProcess gateway = await GatewayAsync();
        await using SseCall call = await SseCall.PostAsync(gateway.Url, DemoAgents.AdaId, "count to 12");
        using HttpClient http = Http(gateway);

        Assert.AreEqual(HttpStatusCode.OK, call.Response.StatusCode);
        Assert.AreEqual("text/event-stream", call.Response.Content.Headers.ContentType?.MediaType);
        List<ServerFrame> frames = [.. (await call.ReadToEndAsync(s_timeout)).Select(SseCall.Frame)];
        using HttpResponseMessage bad = await http.PostAsync("/stream", new StringContent("{\"agent_id\":42}", Encoding.UTF8, "application/json"));
        using JsonDocument error = JsonDocument.Parse(await bad.Content.ReadAsStringAsync());

        Assert.AreEqual(string.Join(' ', Enumerable.Range(1, 12)), string.Concat(frames.Where(f => f.Type == "content").Select(f => f.Content)));
        Assert.AreEqual("done", frames[^1].Type);
        Assert.AreEqual("end_turn", frames[^1].StopReason);
        Assert.AreEqual(HttpStatusCode.BadRequest, bad.StatusCode);
        Assert.IsFalse(string.IsNullOrEmpty(error.RootElement.GetProperty("error").GetProperty("code").GetString()));
    }

    [TestMethod]
    public async Task A_configured_scoped_key_is_required_and_refused_for_another_agent()
    {
        await using GatewayProcess gateway = await NativeGateway.StartAsync(
            "--urls=http://127.0.0.1:0", "--Logging:LogLevel:Default=Warning", $"--Auth:ApiKeys:0:Key={AdaKey}", $"--Auth:ApiKeys:0:Agents:0={DemoAgents.AdaId}");
        Action<System.Net.WebSockets.ClientWebSocketOptions> bearer = o => o.SetRequestHeader("Authorization", $"Bearer {AdaKey}");

        var (anonymous, _) = await UpgradeProbe.StatusAsync(Ws(gateway, DemoAgents.AdaId));
        var (outside, _) = await UpgradeProbe.StatusAsync(Ws(gateway, DemoAgents.SageId), bearer);
        var (plain, body) = await UpgradeProbe.GetAsync(gateway.Url, $"/ws/{DemoAgents.SageId}", ("Authorization", $"Bearer {AdaKey}"));
        var (list, agents) = await UpgradeProbe.GetAsync(gateway.Url, "/api/agents", ("Authorization", $"Bearer {AdaKey}"));
        var (unlisted, _) = await UpgradeProbe.GetAsync(gateway.Url, "/api/agents");

        Assert.AreEqual(HttpStatusCode.Unauthorized, anonymous, "no key, no socket");
        Assert.AreEqual(HttpStatusCode.Unauthorized, unlisted);
        Assert.AreEqual(HttpStatusCode.Forbidden, outside, "an agent outside the key's scope");
        Assert.AreEqual(HttpStatusCode.Forbidden, plain);
        StringAssert.Contains(body, "\"code\":\"forbidden_agent\"");
        Assert.AreEqual(HttpStatusCode.OK, list);
        using (JsonDocument scoped = JsonDocument.Parse(agents))
        {
            Assert.AreEqual(DemoAgents.AdaId, scoped.RootElement.EnumerateArray().Single().GetProperty("id").GetString(), "a scoped key lists its agents only");
        }

        await using TestClient client = await TestClient.ConnectAsync(Ws(gateway, DemoAgents.AdaId), bearer);
        await client.SendMessageAsync("in", "count to 2");
        Assert.AreEqual("1 2", TestClient.Text(await client.ReadTurnAsync("in", s_timeout)));
        await client.SendMessageAsync("out", "hello", DemoAgents.SageId);
        ServerFrame refused = await client.ReceiveAsync(s_timeout);
        Assert.AreEqual("error", refused.Type);
        Assert.AreEqual("invalid_agent_id", refused.Code, "a frame's agent outside the scope");
    }

    [TestMethod]
    [DataRow("--Health:ProbeTimeout=00:00:00", "ProbeTimeout", DisplayName = "source-generated validator")]
    [DataRow("--Sockets:MaxActiveTurns=0", "MaxActiveTurns", DisplayName = "hand-written validator")]
    [DataRow("--Sockets:MaxActiveTurns=lots", "Sockets:MaxActiveTurns", DisplayName = "not a number")]
    public async Task An_invalid_setting_stops_the_executable_at_start_naming_the_setting(string setting, string named)
    {
        await using ChildProcess process = await NativeGateway.RunAsync("--urls=http://127.0.0.1:0", setting);
        await AssertRefusedAsync(process, named, $"The gateway kept running with {setting}");
        Assert.IsFalse(process.Output.Contains("Now listening on", StringComparison.Ordinal), "it never listened");
    }

    /// <summary>
    /// A service manager may start the executable from any folder. It reads the <c>appsettings.json</c>
    /// beside it all the same: here one that holds an invalid setting, so reading it shows as a refusal
    /// to start (without it the gateway would start on its defaults).
    /// </summary>
    [TestMethod]
    public async Task Started_from_another_folder_the_executable_reads_the_settings_beside_it()
    {
        string executable = await NativeGateway.ExecutableAsync();
        DirectoryInfo folder = Directory.CreateTempSubdirectory("lettasockets-native-copy-");
        DirectoryInfo elsewhere = Directory.CreateTempSubdirectory("lettasockets-native-cwd-");
        try
        {
            string copy = Path.Combine(folder.FullName, Path.GetFileName(executable));
            File.Copy(executable, copy);
            await File.WriteAllTextAsync(Path.Combine(folder.FullName, "appsettings.json"), """{ "Sockets": { "MaxActiveTurns": 0 } }""");

            await using ChildProcess process = ChildProcess.Start(copy, ["--urls=http://127.0.0.1:0"], elsewhere.FullName);
            await AssertRefusedAsync(process, "MaxActiveTurns", "The gateway started without reading the appsettings.json beside it");
        }
        finally
        {
            folder.Delete(recursive: true);
            elsewhere.Delete(recursive: true);
        }
    }

    /// <summary>The process exits within the timeout, with a failure code and an output naming <paramref name="named"/>.</summary>
    private static async Task AssertRefusedAsync(ChildProcess process, string named, string kept)
    {
        using var timeout = new CancellationTokenSource(s_timeout);
        try
        {
            await process.WaitForExitAsync(timeout.Token);
        }
        catch (OperationCanceledException)
        {
            Assert.Fail($"{kept}:\n{process.Output}");
        }

        Assert.AreNotEqual(0, process.ExitCode, process.Output);
        StringAssert.Contains(process.Output, named);
    }

    /// <summary>Length of Ada's whole answer to "count to <paramref name="n"/>".</summary>
    private static int AdaTextLength(int n) => string.Join(' ', Enumerable.Range(1, n)).Length;
}
