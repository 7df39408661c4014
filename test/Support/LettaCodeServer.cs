using System.Diagnostics;
using System.Net;
using System.Net.Sockets;
using System.Net.WebSockets;
using System.Security.Cryptography;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;

namespace LettaSockets.Testing;

/// <summary>
/// The real Letta Code App Server (<c>letta server --backend local</c>, npm <c>@letta-ai/letta-code</c>)
/// on a loopback port, isolated in its own HOME, with a capability token and the fake model as its only
/// provider (letta-code's fake-provider set-up: an OpenAI-compatible base URL). Installed on first use by <c>eng/install-letta-code.sh</c>
/// (cached); where node or the package is unavailable, <see cref="SkipReason"/> says why.
/// </summary>
public sealed class LettaCodeServer : IAsyncDisposable
{
    public const string Version = "0.32.18";

    private static readonly Lazy<(string? Entry, string? Why)> s_install = new(Install);
    private readonly string _entry;
    private readonly string _home;
    private readonly Dictionary<string, string> _environment;
    private ChildProcess? _process;

    private LettaCodeServer(string entry, string home, int port, string token, Dictionary<string, string> environment)
    {
        _entry = entry;
        _home = home;
        Port = port;
        Token = token;
        _environment = environment;
    }

    public int Port { get; }

    /// <summary>The capability token (a test secret: it must appear in no frame and no log line).</summary>
    public string Token { get; }

    public Uri WebSocketUrl => new($"ws://127.0.0.1:{Port}/ws");

    public int ProcessId => _process?.Id ?? 0;

    /// <summary>Why the App Server cannot run here (null when it can).</summary>
    public static string? SkipReason => s_install.Value.Why;

    public static async Task<LettaCodeServer> StartAsync(FakeLlm llm)
    {
        (string? entry, string? why) = s_install.Value;
        if (entry is null)
        {
            Assert.Inconclusive(why ?? "letta.js is missing");
        }

        string home = Directory.CreateTempSubdirectory("letta-home-").FullName;
        string work = Directory.CreateDirectory(Path.Combine(home, "work")).FullName;
        var environment = new Dictionary<string, string>
        {
            ["HOME"] = home,
            ["LETTA_CODE_TELEM"] = "0",
            ["DO_NOT_TRACK"] = "1",
            ["DISABLE_AUTOUPDATER"] = "1",
            ["GIT_CEILING_DIRECTORIES"] = home,
            ["LETTA_API_KEY"] = string.Empty,
        };

        // Register the fake model as the only provider, and keep the model log one request per step.
        await RunOnceAsync(entry!, ["--backend", "local", "connect", "openai-compatible", "--base-url", llm.BaseUrl.ToString().TrimEnd('/'), "--api-key", "fake-key"], work, environment);
        string settings = Path.Combine(home, ".letta", "settings.json");
        JsonObject json = File.Exists(settings) ? JsonNode.Parse(await File.ReadAllTextAsync(settings))!.AsObject() : [];
        json["reflectionTrigger"] = "off";
        json["autoConversationTitles"] = false;
        Directory.CreateDirectory(Path.GetDirectoryName(settings)!);
        await File.WriteAllTextAsync(settings, json.ToJsonString());

        string token = Convert.ToHexString(RandomNumberGenerator.GetBytes(24)).ToLowerInvariant();
        string tokenFile = Path.Combine(home, "token");
        await File.WriteAllTextAsync(tokenFile, token);
        if (!OperatingSystem.IsWindows())
        {
            File.SetUnixFileMode(tokenFile, UnixFileMode.UserRead | UnixFileMode.UserWrite);
        }
        environment["LS_TOKEN_FILE"] = tokenFile;

        var server = new LettaCodeServer(entry!, home, FreePort(), token, environment);
        await server.StartProcessAsync();
        return server;
    }

    /// <summary>(Re)starts the server process on the same port and HOME: agents and history persist.</summary>
    public async Task StartProcessAsync()
    {
        string work = Path.Combine(_home, "work");
        _process = ChildProcess.Start("node", [_entry, "--backend", "local", "server", "--listen", $"ws://127.0.0.1:{Port}", "--ws-auth", "capability-token", "--ws-token-file", _environment["LS_TOKEN_FILE"]], work, _environment);
        try
        {
            await _process.WaitForLineAsync(@"Listening on ws://", TimeSpan.FromSeconds(60));
        }
        catch (TimeoutException)
        {
            throw new AssertFailedException($"letta server did not start within 60 s. Output: {_process.Output}");
        }

        using var http = new HttpClient { Timeout = TimeSpan.FromSeconds(5) };
        for (int attempt = 0; ; attempt++)
        {
            try
            {
                using HttpResponseMessage ready = await http.GetAsync(new Uri($"http://127.0.0.1:{Port}/readyz"));
                if (ready.IsSuccessStatusCode)
                {
                    return;
                }
            }
            catch (HttpRequestException) when (attempt < 50)
            {
            }

            Assert.IsLessThan(50, attempt, "letta server never became ready");
            await Task.Delay(100);
        }
    }

    /// <summary>Kills the server at once (SIGKILL): its sockets drop without a close frame.</summary>
    public async Task KillAsync()
    {
        if (_process is { } process)
        {
            await process.DisposeAsync();
            _process = null;
        }
    }

    /// <summary>Creates an agent on the fake model through the App Server's own protocol.</summary>
    public async Task<string> CreateAgentAsync(string name)
    {
        JsonObject answer = await CommandAsync(new JsonObject
        {
            ["type"] = "agent_create",
            ["request_id"] = "create-" + name,
            ["body"] = new JsonObject { ["name"] = name, ["model"] = "openai-compatible/" + FakeLlm.Model },
        });
        return (string?)answer["agent"]?["id"] ?? throw new AssertFailedException("agent_create failed: " + answer.ToJsonString());
    }

    /// <summary>Creates a conversation of <paramref name="agentId"/> and returns its id.</summary>
    public async Task<string> CreateConversationAsync(string agentId)
    {
        JsonObject answer = await CommandAsync(new JsonObject
        {
            ["type"] = "conversation_create",
            ["request_id"] = "conv-" + agentId,
            ["body"] = new JsonObject { ["agent_id"] = agentId },
        });
        return (string?)answer["conversation"]?["id"] ?? throw new AssertFailedException("conversation_create failed: " + answer.ToJsonString());
    }

    /// <summary>Sends one command on a fresh socket and returns its response.</summary>
    public async Task<JsonObject> CommandAsync(JsonObject command)
    {
        using var socket = new ClientWebSocket();
        socket.Options.SetRequestHeader("Authorization", "Bearer " + Token);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(30));
        await socket.ConnectAsync(WebSocketUrl, timeout.Token);
        await socket.SendAsync(Encoding.UTF8.GetBytes(command.ToJsonString()), WebSocketMessageType.Text, true, timeout.Token);
        string requestId = (string)command["request_id"]!;
        var buffer = new byte[1 << 20];
        while (true)
        {
            int length = 0;
            ValueWebSocketReceiveResult result;
            do
            {
                result = await socket.ReceiveAsync(buffer.AsMemory(length), timeout.Token);
                length += result.Count;
            }
            while (!result.EndOfMessage);

            if (JsonNode.Parse(buffer.AsSpan(0, length)) is JsonObject frame && (string?)frame["request_id"] == requestId)
            {
                await socket.CloseOutputAsync(WebSocketCloseStatus.NormalClosure, "done", timeout.Token);
                return frame;
            }
        }
    }

    public async ValueTask DisposeAsync()
    {
        await KillAsync();
        try
        {
            Directory.Delete(_home, recursive: true);
        }
        catch (IOException)
        {
        }
    }

    private static async Task RunOnceAsync(string entry, string[] arguments, string work, Dictionary<string, string> environment)
    {
        await using ChildProcess process = ChildProcess.Start("node", [entry, .. arguments], work, environment);
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(60));
        await process.WaitForExitAsync(timeout.Token);
    }

    private static int FreePort()
    {
        using var listener = new TcpListener(IPAddress.Loopback, 0);
        listener.Start();
        return ((IPEndPoint)listener.LocalEndpoint).Port;
    }

    /// <summary>Finds letta.js: <c>LETTASOCKETS_LETTA_CODE</c>, else installs (or reuses) the pinned version in the cache.</summary>
    private static (string? Entry, string? Why) Install()
    {
        if (Environment.GetEnvironmentVariable("LETTASOCKETS_LETTA_CODE") is { Length: > 0 } configured)
        {
            return File.Exists(configured) ? (configured, null) : (null, $"LETTASOCKETS_LETTA_CODE points at {configured}, which does not exist");
        }

        string? root = AppContext.BaseDirectory;
        while (root is not null && !File.Exists(Path.Combine(root, "LettaSockets.sln")))
        {
            root = Path.GetDirectoryName(root);
        }

        if (root is null)
        {
            return (null, "the repository root (LettaSockets.sln) was not found, so eng/install-letta-code.sh cannot run");
        }

        try
        {
            var info = new ProcessStartInfo("bash") { RedirectStandardOutput = true, RedirectStandardError = true, UseShellExecute = false };
            info.ArgumentList.Add(Path.Combine(root, "eng", "install-letta-code.sh"));
            info.ArgumentList.Add(Version);
            using Process install = Process.Start(info)!;
            Task<string> stdout = install.StandardOutput.ReadToEndAsync();
            Task<string> stderr = install.StandardError.ReadToEndAsync();
            if (!install.WaitForExit(TimeSpan.FromMinutes(5)))
            {
                install.Kill(entireProcessTree: true);
                return (null, "installing @letta-ai/letta-code took over 5 minutes");
            }

            string entry = stdout.Result.Trim().Split('\n')[^1];
            return install.ExitCode == 0 && File.Exists(entry)
                ? (entry, null)
                : (null, $"@letta-ai/letta-code {Version} could not be installed (node and npm with registry access are needed): {stderr.Result.Trim()}");
        }
        catch (System.ComponentModel.Win32Exception e)
        {
            return (null, "bash is not available to install @letta-ai/letta-code: " + e.Message);
        }
    }
}
