using System.Diagnostics;
using System.Globalization;
using LettaSockets.Bench.Harness;

namespace LettaSockets.Bench.Scenarios;

/// <summary>
/// What went on around a turn-start probe, for <c>--timeline</c>: the relay's runtime events (collections,
/// thread-pool changes, over EventPipe), the open files of the relay and the simulator sampled every 10 ms
/// (a pool closing its idle upstream connections shows as a drop in both), and the probe's slow turns, all
/// on one clock from the probe's start. Printed once the probe's turns are done.
/// </summary>
internal sealed class ProbeTrace : IAsyncDisposable
{
    private static readonly TimeSpan SampleEvery = TimeSpan.FromMilliseconds(10);
    private const int FileStep = 8;
    private readonly ChildProcess _relay;
    private readonly ChildProcess _simulator;
    private readonly GcWatch? _runtime;
    private readonly long _start = Stopwatch.GetTimestamp();
    private readonly DateTime _startUtc = DateTime.UtcNow;
    private readonly double _relayAgeSeconds;
    private readonly List<(long At, int Relay, int Simulator)> _files = [];
    private readonly CancellationTokenSource _stop = new();
    private readonly Task _sampling;

    private ProbeTrace(ChildProcess relay, ChildProcess simulator)
    {
        _relay = relay;
        _simulator = simulator;
        _relayAgeSeconds = (DateTime.Now - Process.GetProcessById(relay.Pid).StartTime).TotalSeconds;
        try
        {
            _runtime = GcWatch.Start(relay.Pid);
        }
        catch (Exception e) when (e is IOException or TimeoutException or UnauthorizedAccessException or InvalidOperationException)
        {
            Console.WriteLine($"  probe trace: no runtime events ({e.GetType().Name})");
        }

        _sampling = Task.Run(SampleAsync);
    }

    public static ProbeTrace Start(ChildProcess relay, ChildProcess simulator) => new(relay, simulator);

    private async Task SampleAsync()
    {
        using var timer = new PeriodicTimer(SampleEvery);
        (int relay, int simulator) last = (-FileStep, -FileStep);
        try
        {
            do
            {
                (int relay, int simulator) now = (OpenFiles(_relay.Pid), OpenFiles(_simulator.Pid));
                if (Math.Abs(now.relay - last.relay) >= FileStep || Math.Abs(now.simulator - last.simulator) >= FileStep)
                {
                    _files.Add((Stopwatch.GetTimestamp(), now.relay, now.simulator));
                    last = now;
                }
            }
            while (await timer.WaitForNextTickAsync(_stop.Token).ConfigureAwait(false));
        }
        catch (OperationCanceledException) when (_stop.IsCancellationRequested)
        {
            // stopped
        }
    }

    private static int OpenFiles(int pid)
    {
        try
        {
            return Directory.GetFileSystemEntries($"/proc/{pid}/fd").Length;
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return -1;
        }
    }

    /// <summary>Stops watching and prints the timeline: turns whose leg took over its median + 0.5 ms.</summary>
    public async Task PrintAsync(long[] sent, List<double> request, List<double> first)
    {
        await StopAsync().ConfigureAwait(false);
        double requestSlow = CancelScenario.Percentile(request, 0.50) + 0.5;
        double firstSlow = CancelScenario.Percentile(first, 0.50) + 0.5;
        var lines = new List<(double AtMs, string What)>();
        for (int i = 0; i < sent.Length; i++)
        {
            if (request[i] > requestSlow || first[i] > firstSlow)
            {
                lines.Add((Ms(sent[i] - _start), string.Create(CultureInfo.InvariantCulture, $"turn {i}: request {request[i]:F2} first {first[i]:F2}")));
            }
        }

        lines.AddRange(_files.Select(f => (Ms(f.At - _start), $"files relay {f.Relay} simulator {f.Simulator}")));
        if (_runtime is not null)
        {
            lines.AddRange(_runtime.Events.Select(e => ((e.At - _startUtc).TotalMilliseconds,
                string.Create(CultureInfo.InvariantCulture, $"{e.What}{(e.PauseMs > 0 ? $" {e.PauseMs:F1}ms" : "")}"))));
        }

        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  probe trace ({sent.Length} turns over {Ms(Stopwatch.GetTimestamp() - _start):F0} ms, starting {_relayAgeSeconds:F1} s after the relay's process; slow = request > {requestSlow:F2} or first > {firstSlow:F2} ms):"));
        foreach ((double at, string what) in lines.OrderBy(l => l.AtMs))
        {
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture, $"    {at,9:F1} ms  {what}"));
        }
    }

    private async Task StopAsync()
    {
        await _stop.CancelAsync().ConfigureAwait(false);
        await _sampling.WaitAsync(TimeSpan.FromSeconds(5)).ConfigureAwait(false);
        if (_runtime is not null)
        {
            await _runtime.DisposeAsync().ConfigureAwait(false);
        }
    }

    public async ValueTask DisposeAsync()
    {
        await StopAsync().ConfigureAwait(false);
        _stop.Dispose();
    }

    private static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;
}
