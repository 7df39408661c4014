namespace LettaSockets.Simulator;

/// <summary>Which endpoint a fault applies to.</summary>
public enum FaultTarget
{
    /// <summary><c>POST /v1/agents/{id}/messages</c> and <c>/messages/stream</c>.</summary>
    Messages,

    /// <summary><c>POST /v1/agents/{id}/messages/cancel</c> (HttpError, HtmlError, AbortConnection, Delay).</summary>
    Cancel,

    /// <summary><c>POST /v1/runs/{id}/stream</c> (pre-stream kinds and Stall, SlowStream, CutOffMidEvent, GarbageLines).</summary>
    RunStream,
}
