namespace LettaSockets.Server.Tests.Reliability.Fuzz;

/// <summary>One generated client action. Targets name an earlier turn-starting step by position
/// (modulo how many there were), so a sequence stays meaningful when shrinking removes steps.</summary>
public abstract record FuzzStep;

/// <summary>A <c>message</c> frame. <see cref="Agent"/> picks one of the run's agents (or a foreign one).</summary>
public sealed record SendMessage(int Agent, MessageShape Shape, bool Resumable, bool ForeignConversation = false) : FuzzStep;

/// <summary>A <c>cancel</c>: of an earlier turn, of an id nobody used, or of everything (null).</summary>
public sealed record SendCancel(int? Target, bool UnknownId) : FuzzStep;

/// <summary>A <c>resume</c> of an earlier turn's run (when its id was seen by then), of a run that
/// does not exist, or of a run of an agent outside the key's scope.</summary>
public sealed record SendResume(int Target, int AfterSeq, ResumeTarget Run) : FuzzStep;

/// <summary>An <c>approve</c> of the approval an earlier turn asked for, or of a tool call nobody asked about.</summary>
public sealed record SendApprove(int Target, bool Approve, bool KnownCall) : FuzzStep;

/// <summary>A <c>message</c> that reuses an earlier turn's request id.</summary>
public sealed record SendDuplicate(int Target) : FuzzStep;

public sealed record SendPing : FuzzStep;

/// <summary>A frame the gateway must refuse without disturbing anything.</summary>
public sealed record SendBad(BadFrame Kind) : FuzzStep;

/// <summary>A pause between frames (a person's timing, or none).</summary>
public sealed record Pause(int Milliseconds) : FuzzStep;

public enum MessageShape
{
    WithId,
    WithoutId,
    PlainText,
    SeedShorthand,
    ContentTooLarge,
}

public enum ResumeTarget
{
    Own,
    Missing,
    Foreign,
}

public enum BadFrame
{
    BrokenJson,
    UnknownType,
    Binary,
    Oversized,
    WrongFieldType,
}
