using System.ComponentModel;
using System.Diagnostics;
using System.Globalization;
using System.Text.Json;
using System.Text.RegularExpressions;

namespace LettaSockets.Client.Tests.Support;

/// <summary>
/// One scenario of <c>js/client-tests.mjs</c> (the JavaScript client, imported from the output folder) under
/// node, running while the test drives the gateway: the script reports <c>STEP name</c> lines a test can wait
/// for, and one <c>RESULT {json}</c> line. Without node 20 or later the test is inconclusive.
/// </summary>
internal sealed class NodeScenario : IAsyncDisposable
{
    private static readonly Lazy<Task<int?>> s_major = new(ReadMajorVersionAsync);

    private readonly ChildProcess _process;

    private NodeScenario(ChildProcess process) => _process = process;

    public static async Task<NodeScenario> StartAsync(string scenario, IReadOnlyDictionary<string, string> environment)
    {
        int? major = await s_major.Value;
        if (major is null)
        {
            Assert.Inconclusive("node is not installed (the JavaScript client's tests need Node 20 or later): skipped");
        }

        if (major < 20)
        {
            Assert.Inconclusive($"node {major} is too old for the JavaScript client (global WebSocket needs Node 20 or later): skipped");
        }

        List<string> args = major < 22 ? ["--experimental-websocket"] : []; // the global WebSocket is default from Node 22
        args.Add("client-tests.mjs");
        var env = new Dictionary<string, string>(environment) { ["LS_SCENARIO"] = scenario };
        return new NodeScenario(ChildProcess.Start("node", args, Path.Combine(AppContext.BaseDirectory, "js"), env));
    }

    /// <summary>Waits until the script reports <paramref name="step"/>.</summary>
    public async Task WaitForStepAsync(string step, TimeSpan timeout)
    {
        try
        {
            await _process.WaitForLineAsync($"^STEP {Regex.Escape(step)}$", timeout);
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
            throw new AssertFailedException($"node did not reach step {step}: {ex.Message}\n{_process.Output}", ex);
        }
    }

    /// <summary>The script's RESULT, once it has finished.</summary>
    public async Task<JsonElement> ResultAsync(TimeSpan timeout)
    {
        Match line;
        try
        {
            line = await _process.WaitForLineAsync("^RESULT (.*)$", timeout);
        }
        catch (Exception ex) when (ex is InvalidOperationException or TimeoutException)
        {
            throw new AssertFailedException($"node reported no RESULT: {ex.Message}\n{_process.Output}", ex);
        }

        return JsonDocument.Parse(line.Groups[1].Value).RootElement.Clone();
    }

    public string Output => _process.Output;

    public ValueTask DisposeAsync() => _process.DisposeAsync();

    private static async Task<int?> ReadMajorVersionAsync()
    {
        try
        {
            using Process process = Process.Start(new ProcessStartInfo("node", "--version") { RedirectStandardOutput = true })!;
            string version = (await process.StandardOutput.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(15))).Trim();
            return int.Parse(version.TrimStart('v').Split('.')[0], CultureInfo.InvariantCulture);
        }
        catch (Win32Exception)
        {
            return null;
        }
    }
}
