namespace LettaSockets.Server.Tests.Reliability.Fuzz;

/// <summary>What the fuzzer actually sent, in order, with what the model needs to judge the answers.</summary>
public sealed record SentFrame(int Order, SentKind Kind, string? Id, FuzzStep Step)
{
    /// <summary>For a turn-starting frame: the agent it addressed (null when the socket's own).</summary>
    public string? AgentId { get; init; }

    /// <summary>True when the frame names an object outside the key's scope (agent, run, conversation).</summary>
    public bool Foreign { get; init; }

    /// <summary>For a turn-starting frame whose id the server assigns: set once the terminal is matched.</summary>
    public string? ExpectedCode { get; init; }
}

public enum SentKind
{
    TurnStart,
    Duplicate,
    Cancel,
    CancelAll,
    Ping,
    Bad,
}
