namespace LettaSockets.Simulator.Wire;

/// <summary>The common LettaMessage fields of §5.1 that vary per event.</summary>
internal readonly record struct Envelope(
    string Id,
    string? Name,
    string? Otid,
    string? StepId,
    long? SeqId,
    string RunId);
