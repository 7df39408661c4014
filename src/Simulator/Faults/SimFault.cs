namespace LettaSockets.Simulator;

/// <summary>
/// One staged failure. Create with the factory methods, narrow with <see cref="ForAgent"/>,
/// <see cref="OnCancel"/>, <see cref="OnRunStream"/> and <see cref="Repeat"/>, and enqueue on
/// <see cref="FaultInjector"/>.
/// </summary>
public sealed record SimFault(FaultKind Kind)
{
    public const int DefaultHugeSize = 2 * 1024 * 1024;

    public FaultTarget Target { get; init; } = FaultTarget.Messages;

    /// <summary>Only requests for this agent (or, for <see cref="FaultTarget.RunStream"/>, runs of it); null = any.</summary>
    public string? AgentId { get; init; }

    /// <summary>How many matching requests it affects before it is used up.</summary>
    public int Times { get; init; } = 1;

    public int StatusCode { get; init; } = 500;

    /// <summary>Response body for HttpError/HtmlError; null = the Letta-shaped default for the status.</summary>
    public string? Body { get; init; }

    public int? RetryAfterSeconds { get; init; }

    /// <summary>K: how many SSE events are sent before the fault acts (the initial ping counts).</summary>
    public int AfterEvents { get; init; } = 1;

    public TimeSpan Delay { get; init; }

    public int Size { get; init; } = DefaultHugeSize;

    /// <summary>Overrides the error text of the in-stream error kinds.</summary>
    public string? Message { get; init; }

    public static SimFault Http(int statusCode, string? body = null, int? retryAfterSeconds = null) =>
        new(FaultKind.HttpError) { StatusCode = statusCode, Body = body, RetryAfterSeconds = retryAfterSeconds };

    public static SimFault RateLimited(int retryAfterSeconds = 1) => Http(429, retryAfterSeconds: retryAfterSeconds);

    public static SimFault Unauthorized() => Http(401);

    public static SimFault Html(int statusCode = 502) => new(FaultKind.HtmlError) { StatusCode = statusCode };

    public static SimFault Abort() => new(FaultKind.AbortConnection);

    public static SimFault Stall(int afterEvents = 1) => new(FaultKind.Stall) { AfterEvents = afterEvents };

    public static SimFault ErrorBeforeMessages(int afterEvents = 1) =>
        new(FaultKind.ErrorBeforeMessages) { AfterEvents = afterEvents };

    public static SimFault ErrorAfterMessages(int afterEvents) =>
        new(FaultKind.ErrorAfterMessages) { AfterEvents = afterEvents };

    public static SimFault Legacy(int afterEvents = 1) => new(FaultKind.LegacyError) { AfterEvents = afterEvents };

    public static SimFault Transport(int afterEvents = 1) => new(FaultKind.TransportError) { AfterEvents = afterEvents };

    public static SimFault Slow(TimeSpan perEvent) => new(FaultKind.SlowStream) { Delay = perEvent };

    public static SimFault CutOff(int afterEvents = 1) => new(FaultKind.CutOffMidEvent) { AfterEvents = afterEvents };

    public static SimFault Garbage(int afterEvents = 1) => new(FaultKind.GarbageLines) { AfterEvents = afterEvents };

    public static SimFault Huge(int size = DefaultHugeSize, int afterEvents = 1) =>
        new(FaultKind.HugeEvent) { Size = size, AfterEvents = afterEvents };

    public static SimFault Delayed(TimeSpan delay) => new(FaultKind.Delay) { Delay = delay };

    public SimFault ForAgent(string agentId) => this with { AgentId = agentId };

    public SimFault Repeat(int times) => this with { Times = times };

    public SimFault OnCancel() => this with { Target = FaultTarget.Cancel };

    public SimFault OnRunStream() => this with { Target = FaultTarget.RunStream };

    /// <summary>Answered before any stream starts.</summary>
    internal bool IsPreStream => Kind is FaultKind.HttpError or FaultKind.HtmlError or FaultKind.AbortConnection or FaultKind.Delay;

    /// <summary>Acted out by the run itself, so background runs store it.</summary>
    internal bool IsRunLevel => Kind is FaultKind.ErrorBeforeMessages or FaultKind.ErrorAfterMessages
        or FaultKind.LegacyError or FaultKind.TransportError or FaultKind.HugeEvent;

    /// <summary>Acted out by the HTTP response writer.</summary>
    internal bool IsTransport => Kind is FaultKind.Stall or FaultKind.SlowStream or FaultKind.CutOffMidEvent or FaultKind.GarbageLines;
}
