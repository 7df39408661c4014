namespace LettaSockets.Bench.Scenarios;

/// <summary>
/// Which path a measurement takes: through the gateway, straight to the simulator (the floor), or
/// through the bare relay (<see cref="BareRelay.Relay"/>: the least a .NET SSE-to-WebSocket relay does).
/// </summary>
internal enum Mode
{
    Gateway,
    Direct,
    BareRelay,
}
