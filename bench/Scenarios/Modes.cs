namespace LettaSockets.Bench.Scenarios;

/// <summary>Which path a measurement takes: through the gateway, or straight to the simulator (the floor).</summary>
internal enum Mode
{
    Gateway,
    Direct,
}
