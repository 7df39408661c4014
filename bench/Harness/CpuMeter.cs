using System.Diagnostics;

namespace LettaSockets.Bench.Harness;

/// <summary>
/// CPU seconds used over a measured window by the server in the path (the gateway, or the bare
/// relay), the simulator, the bench itself, and everything else on the machine.
/// </summary>
internal sealed class CpuMeter
{
    private readonly BenchStack _stack;
    private readonly ChildProcess? _inPath;
    private TimeSpan _gateway, _server, _simulator, _bench;
    private double _machine;
    private long _started;

    public CpuMeter(BenchStack stack, bool gatewayInPath)
        : this(stack, gatewayInPath ? stack.Gateway : null)
    {
    }

    public CpuMeter(BenchStack stack, ChildProcess? inPath)
    {
        _stack = stack;
        _inPath = inPath;
    }

    public void Start()
    {
        _gateway = _stack.Gateway.Cpu;
        _server = _inPath?.Cpu ?? TimeSpan.Zero;
        _simulator = _stack.Simulator.Cpu;
        _bench = Process.GetCurrentProcess().TotalProcessorTime;
        _machine = MachineBusySeconds();
        _started = Stopwatch.GetTimestamp();
    }

    public CpuUse Stop()
    {
        double wall = Stopwatch.GetElapsedTime(_started).TotalSeconds;
        double gateway = (_stack.Gateway.Cpu - _gateway).TotalSeconds;
        double server = _inPath is null ? 0 : ReferenceEquals(_inPath, _stack.Gateway) ? gateway : (_inPath.Cpu - _server).TotalSeconds;
        double simulator = (_stack.Simulator.Cpu - _simulator).TotalSeconds;
        double bench = (Process.GetCurrentProcess().TotalProcessorTime - _bench).TotalSeconds;
        double machine = MachineBusySeconds() - _machine;
        double others = Math.Max(0, machine - gateway - simulator - bench - (ReferenceEquals(_inPath, _stack.Gateway) ? 0 : server));
        return new CpuUse(wall, server, simulator, bench, others);
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
