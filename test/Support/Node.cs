using System.ComponentModel;
using System.Diagnostics;
using System.Text.Json;

namespace LettaSockets.Testing;

/// <summary>Runs a node script from <c>workingDirectory</c> (bounded by a timeout) and returns the JSON
/// it reported on its <c>RESULT</c> line. Without node 20 or later, the calling test is inconclusive.</summary>
public static class Node
{
    private static readonly Lazy<Task<int?>> s_major = new(ReadMajorVersionAsync);

    public static async Task<JsonElement> RunAsync(string script, string workingDirectory, IReadOnlyDictionary<string, string> environment, TimeSpan timeout)
    {
        int major = await s_major.Value ?? throw new AssertInconclusiveException($"node is not installed (Node 20 or later is needed to run {script}): skipped");
        if (major < 20)
        {
            Assert.Inconclusive($"node {major} is too old to run {script} (fetch streams and WebSocket need Node 20.10 or later): skipped");
        }

        var start = new ProcessStartInfo("node")
        {
            WorkingDirectory = workingDirectory,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
        };
        if (major < 22)
        {
            start.ArgumentList.Add("--experimental-websocket"); // global WebSocket (Node 20.10+; default from 22)
        }

        start.ArgumentList.Add(script);
        foreach ((string key, string value) in environment)
        {
            start.Environment[key] = value;
        }

        using Process process = Process.Start(start)!;
        Task<string> stdout = process.StandardOutput.ReadToEndAsync();
        Task<string> stderr = process.StandardError.ReadToEndAsync();
        try
        {
            await process.WaitForExitAsync().WaitAsync(timeout);
        }
        catch (TimeoutException)
        {
            process.Kill(entireProcessTree: true);
            throw new AssertFailedException($"node {script} did not finish within {timeout.TotalSeconds} s. stderr: {await stderr}");
        }

        string output = await stdout;
        Assert.AreEqual(0, process.ExitCode, $"node {script} failed. stdout: {output} stderr: {await stderr}");
        string? line = output.Split('\n').FirstOrDefault(l => l.StartsWith("RESULT ", StringComparison.Ordinal));
        Assert.IsNotNull(line, $"node {script} reported no RESULT. stdout: {output} stderr: {await stderr}");
        return JsonDocument.Parse(line["RESULT ".Length..]).RootElement.Clone();
    }

    private static async Task<int?> ReadMajorVersionAsync()
    {
        try
        {
            using Process process = Process.Start(new ProcessStartInfo("node", "--version") { RedirectStandardOutput = true })!;
            string version = (await process.StandardOutput.ReadToEndAsync().WaitAsync(TimeSpan.FromSeconds(15))).Trim();
            return int.Parse(version.TrimStart('v').Split('.')[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Win32Exception)
        {
            return null;
        }
    }
}
