using System.Diagnostics;
using System.Text.RegularExpressions;

namespace LettaSockets.Browser.Tests.Support;

/// <summary>
/// The gateway in a child process (<c>dotnet LettaSockets.Server.dll</c> from the test's output
/// folder), so a test can kill it the way a crash or an OOM kill would: no drain, no shutdown
/// frame, no close handshake — the page only sees its socket break.
/// </summary>
public sealed partial class GatewayProcess : IAsyncDisposable
{
    private static readonly TimeSpan s_startTimeout = TimeSpan.FromSeconds(60);

    private readonly Process _process;
    private readonly List<string> _output = [];
    private readonly TaskCompletionSource<Uri> _listening = new(TaskCreationOptions.RunContinuationsAsynchronously);

    private GatewayProcess(Process process) => _process = process;

    /// <summary>Starts the gateway with <paramref name="args"/> (<c>--Key=value</c>) and waits until it listens.</summary>
    public static async Task<(GatewayProcess Process, Uri Url)> StartAsync(IEnumerable<string> args)
    {
        var info = new ProcessStartInfo("dotnet")
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = AppContext.BaseDirectory,
        };
        info.ArgumentList.Add(Path.Combine(AppContext.BaseDirectory, "LettaSockets.Server.dll"));
        foreach (string arg in args)
        {
            info.ArgumentList.Add(arg);
        }

        // Kestrel's "Now listening on" line says which port a --urls=…:0 start got.
        info.ArgumentList.Add("--Logging:LogLevel:Microsoft.Hosting.Lifetime=Information");

        var child = new GatewayProcess(new Process { StartInfo = info, EnableRaisingEvents = true });
        child._process.Exited += (_, _) => child._listening.TrySetException(new AssertFailedException("The gateway process exited:\n" + child.Output));
        child._process.OutputDataReceived += (_, e) => child.OnLine(e.Data);
        child._process.ErrorDataReceived += (_, e) => child.OnLine(e.Data);
        child._process.Start();
        child._process.BeginOutputReadLine();
        child._process.BeginErrorReadLine();
        try
        {
            Uri url = await child._listening.Task.WaitAsync(s_startTimeout);
            return (child, url);
        }
        catch (TimeoutException)
        {
            await child.DisposeAsync();
            throw new AssertFailedException("The gateway process did not start:\n" + child.Output);
        }
    }

    public string Output
    {
        get
        {
            lock (_output)
            {
                return string.Join('\n', _output);
            }
        }
    }

    /// <summary>SIGKILL, and waits until the process is gone (its port is free again).</summary>
    public async Task KillAsync()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }

        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _process.WaitForExitAsync(timeout.Token);
    }

    public async ValueTask DisposeAsync()
    {
        try
        {
            await KillAsync();
        }
        catch (OperationCanceledException)
        {
        }

        _process.Dispose();
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_output)
        {
            _output.Add(line);
        }

        if (ListeningLine().Match(line) is { Success: true } match)
        {
            _listening.TrySetResult(new Uri(match.Groups[1].Value));
        }
    }

    [GeneratedRegex(@"Now listening on: (http://\S+)")]
    private static partial Regex ListeningLine();
}
