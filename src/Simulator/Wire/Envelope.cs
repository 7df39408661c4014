namespace LettaSockets.Simulator.Wire;

/// <summary>The common LettaMessage fields of Letta's event payloads that vary per event.</summary>
internal readonly record struct Envelope(
    string Id,
    string? Name,
    string? Otid,
    string? StepId,
    long? SeqId,
    string RunId);
