namespace LettaSockets.Simulator.Http;

/// <summary>What an SSE response needs besides its frames: the run id for keepalive pings, and a transport fault.</summary>
internal sealed record StreamPlan(string RunId, bool IncludePings, SimFault? Fault);
