using System.Globalization;
using System.Runtime.InteropServices;
using LettaSockets.Bench.Report;

namespace LettaSockets.Bench.Harness;

/// <summary>The machine the figures were measured on (<c>/proc/cpuinfo</c>, <c>/proc/meminfo</c>, the runtime).</summary>
internal static class MachineProbe
{
    public static MachineInfo Read()
    {
        string cpu = File.ReadLines("/proc/cpuinfo")
            .FirstOrDefault(l => l.StartsWith("model name", StringComparison.Ordinal))?.Split(':', 2)[1].Trim() ?? "unknown";
        string? total = File.ReadLines("/proc/meminfo").FirstOrDefault(l => l.StartsWith("MemTotal:", StringComparison.Ordinal));
        double memoryGiB = total is null ? 0 : long.Parse(total.Split(' ', StringSplitOptions.RemoveEmptyEntries)[1], CultureInfo.InvariantCulture) / 1024.0 / 1024.0;
        string kernel = File.Exists("/proc/sys/kernel/osrelease") ? File.ReadAllText("/proc/sys/kernel/osrelease").Trim() : "unknown";
        return new MachineInfo(
            Environment.ProcessorCount,
            cpu,
            Math.Round(memoryGiB, 1),
            Environment.Version.ToString(),
            RuntimeInformation.OSDescription,
            kernel,
            ProcStats.MaxOpenFiles(Environment.ProcessId));
    }
}
