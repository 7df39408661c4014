using System.Diagnostics;
using System.Globalization;
using LettaSockets.Bench.Harness;

namespace LettaSockets.Bench.Scenarios;

/// <summary>
/// What went on around a turn-start probe, for <c>--timeline</c>, read so as to disturb it as little as
/// possible: nothing runs during the probe. Before and after it, every thread on the machine is read
/// (<c>/proc/*/task/*/schedstat</c>: nanoseconds run, and nanoseconds runnable but waiting for a core), and
/// the open files of the relay and the simulator (a pool closing its idle upstream connections shows as a
/// drop in both). Then it prints the probe's slow turns, from the probe's start, and the threads that ran
/// or waited most meanwhile.
/// </summary>
internal sealed class ProbeTrace
{
    private const double ShownMs = 1.0;
    private readonly ChildProcess _relay;
    private readonly ChildProcess _simulator;
    private readonly double _relayAgeSeconds;
    private readonly (int Relay, int Simulator) _filesBefore;
    private readonly Dictionary<(int Pid, int Tid), ThreadTime> _before;
    private readonly long _start;

    private ProbeTrace(ChildProcess relay, ChildProcess simulator)
    {
        _relay = relay;
        _simulator = simulator;
        _relayAgeSeconds = (DateTime.Now - Process.GetProcessById(relay.Pid).StartTime).TotalSeconds;
        _filesBefore = (OpenFiles(relay.Pid), OpenFiles(simulator.Pid));
        _before = Threads();
        _start = Stopwatch.GetTimestamp();
    }

    public static ProbeTrace Start(ChildProcess relay, ChildProcess simulator) => new(relay, simulator);

    /// <summary>Reads the machine's threads again and prints: turns whose leg took over its median + 0.5 ms,
    /// and the threads that ran or waited at least 1 ms since the probe began.</summary>
    public void Print(long[] sent, long end, List<double> request, List<double> first, List<double> directRequest, List<double> directFirst)
    {
        Dictionary<(int Pid, int Tid), ThreadTime> after = Threads();
        (int Relay, int Simulator) files = (OpenFiles(_relay.Pid), OpenFiles(_simulator.Pid));
        double requestSlow = SlowAbove(request);
        double firstSlow = SlowAbove(first);
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"  probe trace: {sent.Length} turns through the relay, each followed by a direct one, over {Ms(end - _start):F0} ms, {_relayAgeSeconds:F1} s after the relay's process started; open files relay {_filesBefore.Relay} → {files.Relay}, simulator {_filesBefore.Simulator} → {files.Simulator}"));
        string slow = string.Join("  ", Enumerable.Range(0, sent.Length)
            .Where(i => request[i] > requestSlow || first[i] > firstSlow)
            .Select(i => string.Create(CultureInfo.InvariantCulture, $"{Ms(sent[i] - _start):F0}:{request[i]:F1}/{first[i]:F1}")));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"    slow turns (request > {requestSlow:F2} or first > {firstSlow:F2} ms) at ms from the start:request/first: {slow}"));
        Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
            $"    the direct turns between them: {Slow(directRequest)} requests and {Slow(directFirst)} first events over their median + 0.5 ms"));
        var threads = after
            .Select(t => (t.Key, t.Value, Before: _before.TryGetValue(t.Key, out ThreadTime b) ? b : (ThreadTime?)null))
            .Select(t => (t.Value, Run: NsToMs(t.Value.RunNs - (t.Before?.RunNs ?? 0)), Wait: NsToMs(t.Value.WaitNs - (t.Before?.WaitNs ?? 0)), New: t.Before is null, t.Key))
            .Where(t => t.Run >= ShownMs || t.Wait >= ShownMs)
            .OrderByDescending(t => t.Run);
        foreach (var t in threads)
        {
            string who = t.Key.Pid == _relay.Pid ? "relay" : t.Key.Pid == _simulator.Pid ? "simulator" : t.Key.Pid == Environment.ProcessId ? "bench" : t.Value.Process;
            Console.WriteLine(string.Create(CultureInfo.InvariantCulture,
                $"    {who,-14} {t.Key.Pid,7}/{t.Key.Tid,-7} {t.Value.Name,-16} ran {t.Run,7:F1} ms  waited {t.Wait,6:F1} ms{(t.New ? "  (new)" : "")}"));
        }
    }

    private static Dictionary<(int Pid, int Tid), ThreadTime> Threads()
    {
        var threads = new Dictionary<(int Pid, int Tid), ThreadTime>();
        foreach (string process in Directory.EnumerateDirectories("/proc"))
        {
            if (!int.TryParse(Path.GetFileName(process), out int pid))
            {
                continue;
            }

            try
            {
                string processName = File.ReadAllText(Path.Combine(process, "comm")).Trim();
                foreach (string task in Directory.EnumerateDirectories(Path.Combine(process, "task")))
                {
                    string[] schedstat = File.ReadAllText(Path.Combine(task, "schedstat")).Split(' ');
                    threads[(pid, int.Parse(Path.GetFileName(task), CultureInfo.InvariantCulture))] = new ThreadTime(
                        processName,
                        File.ReadAllText(Path.Combine(task, "comm")).Trim(),
                        long.Parse(schedstat[0], CultureInfo.InvariantCulture),
                        long.Parse(schedstat[1], CultureInfo.InvariantCulture));
                }
            }
            catch (Exception e) when (e is IOException or UnauthorizedAccessException)
            {
                // the process or thread ended meanwhile
            }
        }

        return threads;
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

    private static double Ms(long ticks) => ticks * 1000.0 / Stopwatch.Frequency;

    private static double NsToMs(long nanoseconds) => nanoseconds / 1e6;

    /// <summary>A turn's leg is slow over its median + 0.5 ms.</summary>
    private static double SlowAbove(List<double> legs) => CancelScenario.Percentile(legs, 0.50) + 0.5;

    private static int Slow(List<double> legs)
    {
        double above = SlowAbove(legs);
        return legs.Count(leg => leg > above);
    }

    private readonly record struct ThreadTime(string Process, string Name, long RunNs, long WaitNs);
}
