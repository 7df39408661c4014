using System.Diagnostics;

namespace LettaSockets.Bench.Harness;

/// <summary>What Linux says about a process: CPU time, resident memory, open files.</summary>
internal static class ProcStats
{
    /// <summary>User + system CPU time (<see cref="Process.TotalProcessorTime"/>, 10 ms resolution).</summary>
    public static TimeSpan Cpu(int pid)
    {
        try
        {
            using Process process = Process.GetProcessById(pid);
            process.Refresh();
            return process.TotalProcessorTime;
        }
        catch (ArgumentException)
        {
            return TimeSpan.Zero; // already gone
        }
    }

    /// <summary>User and system CPU time apart (<see cref="Process.UserProcessorTime"/>, <see cref="Process.PrivilegedProcessorTime"/>).</summary>
    public static (TimeSpan User, TimeSpan System) CpuSplit(int pid)
    {
        try
        {
            using Process process = Process.GetProcessById(pid);
            process.Refresh();
            return (process.UserProcessorTime, process.PrivilegedProcessorTime);
        }
        catch (ArgumentException)
        {
            return (TimeSpan.Zero, TimeSpan.Zero);
        }
    }

    /// <summary>Voluntary context switches of all the process's threads (<c>/proc/&lt;pid&gt;/task/*/status</c>): how often it went to sleep.</summary>
    public static long VoluntarySwitches(int pid)
    {
        long total = 0;
        foreach (string task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
        {
            try
            {
                total += StatusField(Path.Combine(task, "status"), "voluntary_ctxt_switches:");
            }
            catch (IOException)
            {
                // a thread that ended between the listing and the read
            }
        }

        return total;
    }

    /// <summary><c>VmRSS</c> of <c>/proc/&lt;pid&gt;/status</c>, in bytes.</summary>
    public static long RssBytes(int pid) => StatusField(pid, "VmRSS:") * 1024;

    /// <summary><c>VmHWM</c> (peak resident set), in bytes.</summary>
    public static long PeakRssBytes(int pid) => StatusField(pid, "VmHWM:") * 1024;

    /// <summary>Memory of every TCP socket on the machine (the <c>mem</c> pages of <c>/proc/net/sockstat</c>'s
    /// <c>TCP:</c> line), in bytes: kernel buffers, outside any process's RSS.</summary>
    public static long KernelTcpBytes()
    {
        foreach (string line in File.ReadLines("/proc/net/sockstat"))
        {
            if (line.StartsWith("TCP:", StringComparison.Ordinal))
            {
                string[] parts = line.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                int at = Array.IndexOf(parts, "mem");
                if (at > 0 && at + 1 < parts.Length)
                {
                    return long.Parse(parts[at + 1], System.Globalization.CultureInfo.InvariantCulture) * Environment.SystemPageSize;
                }
            }
        }

        return 0;
    }

    public static int OpenFiles(int pid)
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

    /// <summary>The soft <c>RLIMIT_NOFILE</c> of a process (<c>/proc/&lt;pid&gt;/limits</c>).</summary>
    public static long MaxOpenFiles(int pid)
    {
        foreach (string line in File.ReadLines($"/proc/{pid}/limits"))
        {
            if (line.StartsWith("Max open files", StringComparison.Ordinal))
            {
                string[] parts = line["Max open files".Length..].Split(' ', StringSplitOptions.RemoveEmptyEntries);
                return long.TryParse(parts[0], out long soft) ? soft : -1;
            }
        }

        return -1;
    }

    /// <summary>The first child of <paramref name="pid"/> (Linux <c>/proc/&lt;pid&gt;/task/&lt;pid&gt;/children</c>), or -1.</summary>
    public static int FirstChild(int pid)
    {
        try
        {
            string text = File.ReadAllText($"/proc/{pid}/task/{pid}/children").Trim();
            return text.Length == 0 ? -1 : int.Parse(text.Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            return -1;
        }
    }

    /// <summary>The runtime's tiered-compilation worker threads (named <c>.NET Tiered Com…</c>) and
    /// their CPU ticks (user + system, 1/100 s): they only run to recompile methods at a higher tier.</summary>
    public static List<(int Tid, long Ticks)> TieredCompilationThreads(int pid)
    {
        var threads = new List<(int, long)>();
        try
        {
            foreach (string task in Directory.EnumerateDirectories($"/proc/{pid}/task"))
            {
                try
                {
                    if (!File.ReadAllText(Path.Combine(task, "comm")).StartsWith(".NET Tiered", StringComparison.Ordinal))
                    {
                        continue;
                    }

                    // After the command name (in parentheses) come the fields from 3 on: utime and stime are 14 and 15.
                    string stat = File.ReadAllText(Path.Combine(task, "stat"));
                    string[] fields = stat[(stat.LastIndexOf(')') + 2)..].Split(' ');
                    long ticks = long.Parse(fields[11], System.Globalization.CultureInfo.InvariantCulture) + long.Parse(fields[12], System.Globalization.CultureInfo.InvariantCulture);
                    threads.Add((int.Parse(Path.GetFileName(task), System.Globalization.CultureInfo.InvariantCulture), ticks));
                }
                catch (Exception e) when (e is IOException or UnauthorizedAccessException)
                {
                    // the thread ended
                }
            }
        }
        catch (Exception e) when (e is IOException or UnauthorizedAccessException)
        {
            // the process is gone
        }

        return threads;
    }

    private static long StatusField(int pid, string field) => StatusField($"/proc/{pid}/status", field);

    private static long StatusField(string statusFile, string field)
    {
        foreach (string line in File.ReadLines(statusFile))
        {
            if (line.StartsWith(field, StringComparison.Ordinal))
            {
                return long.Parse(line[field.Length..].Trim().Split(' ')[0], System.Globalization.CultureInfo.InvariantCulture);
            }
        }

        return 0;
    }
}
