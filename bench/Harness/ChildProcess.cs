using System.Diagnostics;

namespace LettaSockets.Bench.Harness;

/// <summary>
/// A process the bench starts (gateway, simulator, a helper client). It runs under
/// <c>timeout --signal=KILL</c>, so it stops by itself even if the bench is killed; the bench kills it
/// (and its tree) on dispose. The last lines of its output are kept for error messages.
/// </summary>
internal sealed class ChildProcess : IDisposable
{
    private const int TailLines = 40;
    private readonly Process _wrapper;
    private readonly Queue<string> _tail = new();
    private readonly Action<string>? _onLine;

    private ChildProcess(string name, Process wrapper, Action<string>? onLine)
    {
        Name = name;
        _wrapper = wrapper;
        _onLine = onLine;
    }

    public string Name { get; }

    /// <summary>The real process (the child of <c>timeout</c>).</summary>
    public int Pid { get; private set; }

    public bool HasExited => _wrapper.HasExited;

    public TimeSpan Cpu => ProcStats.Cpu(Pid);

    public long RssBytes => ProcStats.RssBytes(Pid);

    public StreamWriter StandardInput => _wrapper.StandardInput;

    public static ChildProcess Start(string name, string fileName, IEnumerable<string> arguments, TimeSpan maxLifetime,
        IReadOnlyDictionary<string, string>? environment = null, Action<string>? onLine = null, string? workingDirectory = null)
    {
        var info = new ProcessStartInfo("timeout")
        {
            UseShellExecute = false,
            RedirectStandardOutput = true,
            RedirectStandardError = true,
            RedirectStandardInput = true,
            WorkingDirectory = workingDirectory ?? Repository.Root,
        };
        info.ArgumentList.Add("--signal=KILL");
        info.ArgumentList.Add($"{Math.Ceiling(maxLifetime.TotalSeconds)}s");
        info.ArgumentList.Add(fileName);
        foreach (string argument in arguments)
        {
            info.ArgumentList.Add(argument);
        }

        info.Environment["DOTNET_CLI_TELEMETRY_OPTOUT"] = "1";
        info.Environment["DOTNET_NOLOGO"] = "1";
        foreach ((string key, string value) in environment ?? new Dictionary<string, string>())
        {
            info.Environment[key] = value;
        }

        Process wrapper = Process.Start(info) ?? throw new InvalidOperationException($"Could not start {name}.");
        var child = new ChildProcess(name, wrapper, onLine);
        wrapper.OutputDataReceived += (_, e) => child.OnLine(e.Data);
        wrapper.ErrorDataReceived += (_, e) => child.OnLine(e.Data);
        wrapper.BeginOutputReadLine();
        wrapper.BeginErrorReadLine();
        child.Pid = child.FindChildPid();
        return child;
    }

    public string Tail()
    {
        lock (_tail)
        {
            return string.Join(Environment.NewLine, _tail);
        }
    }

    public void Dispose()
    {
        try
        {
            if (!_wrapper.HasExited)
            {
                _wrapper.Kill(entireProcessTree: true);
                _wrapper.WaitForExit(5000);
            }
        }
        catch (InvalidOperationException)
        {
        }

        _wrapper.Dispose();
    }

    private int FindChildPid()
    {
        var deadline = Stopwatch.StartNew();
        while (deadline.Elapsed < TimeSpan.FromSeconds(10))
        {
            int pid = ProcStats.FirstChild(_wrapper.Id);
            if (pid > 0)
            {
                return pid;
            }

            if (_wrapper.HasExited)
            {
                throw new InvalidOperationException($"{Name} exited at once: {Tail()}");
            }

            Thread.Sleep(5);
        }

        throw new TimeoutException($"{Name} did not start.");
    }

    private void OnLine(string? line)
    {
        if (line is null)
        {
            return;
        }

        lock (_tail)
        {
            _tail.Enqueue(line);
            if (_tail.Count > TailLines)
            {
                _tail.Dequeue();
            }
        }

        _onLine?.Invoke(line);
    }
}
