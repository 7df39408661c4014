using System.Diagnostics;
using System.Text.RegularExpressions;

namespace LettaSockets.Testing;

/// <summary>A process a test starts and always stops; its output lines can be awaited.</summary>
public sealed class ChildProcess : IAsyncDisposable
{
    private readonly Process _process;
    private readonly List<string> _lines = [];
    private readonly List<(Regex Pattern, TaskCompletionSource<Match> Done)> _waiters = [];
    private bool _exited;

    private ChildProcess(Process process) => _process = process;

    public int Id => _process.Id;

    public bool HasExited => _process.HasExited;

    /// <summary>How the process ended (valid once it has exited).</summary>
    public int ExitCode => _process.ExitCode;

    /// <summary>Everything the process wrote so far (for failure messages).</summary>
    public string Output
    {
        get
        {
            lock (_lines)
            {
                return string.Join('\n', _lines);
            }
        }
    }

    public static ChildProcess Start(string fileName, IEnumerable<string> arguments, string? workingDirectory = null, IReadOnlyDictionary<string, string>? environment = null)
    {
        var info = new ProcessStartInfo(fileName)
        {
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            UseShellExecute = false,
            WorkingDirectory = workingDirectory ?? AppContext.BaseDirectory,
        };
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        foreach ((string name, string value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[name] = value;
        }

        var child = new ChildProcess(new Process { StartInfo = info, EnableRaisingEvents = true });
        child._process.OutputDataReceived += (_, e) => child.OnLine(e.Data);
        child._process.ErrorDataReceived += (_, e) => child.OnLine(e.Data);
        child._process.Exited += (_, _) => child.OnExited();
        child._process.Start();
        child._process.BeginOutputReadLine();
        child._process.BeginErrorReadLine();
        return child;
    }

    /// <summary>Completes when a line matching <paramref name="pattern"/> appears (already or later); fails
    /// with <see cref="InvalidOperationException"/> when the process exits first.</summary>
    public Task<Match> WaitForLineAsync(string pattern, TimeSpan timeout)
    {
        var regex = new Regex(pattern);
        var done = new TaskCompletionSource<Match>(TaskCreationOptions.RunContinuationsAsynchronously);
        lock (_lines)
        {
            foreach (string line in _lines)
            {
                if (regex.Match(line) is { Success: true } m)
                {
                    return Task.FromResult(m);
                }
            }

            if (_exited)
            {
                return Task.FromException<Match>(new InvalidOperationException($"The process exited without writing a line matching '{pattern}'."));
            }

            _waiters.Add((regex, done));
        }

        return done.Task.WaitAsync(timeout);
    }

    /// <summary>Completes when the process has exited by itself.</summary>
    public Task WaitForExitAsync(CancellationToken cancellationToken) => _process.WaitForExitAsync(cancellationToken);

    public void Kill()
    {
        if (!_process.HasExited)
        {
            _process.Kill(entireProcessTree: true);
        }
    }

    public async ValueTask DisposeAsync()
    {
        Kill();
        using var timeout = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        try
        {
            await _process.WaitForExitAsync(timeout.Token);
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

        lock (_lines)
        {
            _lines.Add(line);
            foreach (var waiter in _waiters.ToArray())
            {
                if (waiter.Pattern.Match(line) is { Success: true } m)
                {
                    waiter.Done.TrySetResult(m);
                    _waiters.Remove(waiter);
                }
            }
        }
    }

    private void OnExited()
    {
        // The last lines may still be on their way: let them in before failing whoever still waits.
        _process.WaitForExit();
        lock (_lines)
        {
            _exited = true;
            foreach (var waiter in _waiters)
            {
                waiter.Done.TrySetException(new InvalidOperationException($"The process exited without writing a line matching '{waiter.Pattern}'."));
            }

            _waiters.Clear();
        }
    }
}
