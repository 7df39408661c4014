using System.Diagnostics;

namespace LettaSockets.Bench.Harness;

/// <summary>CPU seconds used by the gateway, the simulator and the bench itself over a measured window.</summary>
internal sealed class CpuMeter
{
    private readonly BenchStack _stack;
    private readonly bool _gatewayInPath;
    private TimeSpan _gateway, _simulator, _bench;
    private double _machine;
    private long _started;

    public CpuMeter(BenchStack stack, bool gatewayInPath)
    {
        _stack = stack;
        _gatewayInPath = gatewayInPath;
    }

    public void Start()
    {
        _gateway = _stack.Gateway.Cpu;
        _simulator = _stack.Simulator.Cpu;
        _bench = Process.GetCurrentProcess().TotalProcessorTime;
        _machine = MachineBusySeconds();
        _started = Stopwatch.GetTimestamp();
    }

    public CpuUse Stop()
    {
        double wall = Stopwatch.GetElapsedTime(_started).TotalSeconds;
        double gateway = (_stack.Gateway.Cpu - _gateway).TotalSeconds;
        double simulator = (_stack.Simulator.Cpu - _simulator).TotalSeconds;
        double bench = (Process.GetCurrentProcess().TotalProcessorTime - _bench).TotalSeconds;
        double machine = MachineBusySeconds() - _machine;
        double others = Math.Max(0, machine - gateway - simulator - bench);
        return new CpuUse(wall, _gatewayInPath ? gateway : 0, simulator, bench, others);
    }

    /// <summary>Busy CPU seconds of the whole machine since boot (<c>/proc/stat</c>, all but idle and iowait).</summary>
    public static double MachineBusySeconds()
    {
        string line = File.ReadLines("/proc/stat").First();
        long[] fields = line.Split(' ', StringSplitOptions.RemoveEmptyEntries).Skip(1).Select(long.Parse).ToArray();
        long busy = fields[0] + fields[1] + fields[2] + fields[5] + fields[6] + (fields.Length > 7 ? fields[7] : 0);
        return busy / 100.0; // USER_HZ
    }
}

/// <summary>CPU seconds per process over <see cref="WallSeconds"/>; divide by wall time for cores in use.</summary>
internal readonly record struct CpuUse(double WallSeconds, double GatewaySeconds, double SimulatorSeconds, double BenchSeconds, double OtherSeconds)
{
    /// <summary>Cores used by processes outside the bench (other work on a shared machine): noise in the figures.</summary>
    public double OtherCores => OtherSeconds / WallSeconds;

    public double GatewayCores => GatewaySeconds / WallSeconds;

    public double SimulatorCores => SimulatorSeconds / WallSeconds;

    public double BenchCores => BenchSeconds / WallSeconds;
}
