namespace LettaSockets.Simulator;

/// <summary>
/// A <c>tool_call_message</c>, then (after <see cref="ToolDelay"/>, the tool's run time) its
/// <c>tool_return_message</c>. Ends the step: the agent's next words come from a new LLM call.
/// </summary>
public sealed record ToolCallPart(string Name, string Arguments, string Result) : ScriptPart
{
    /// <summary><c>success</c> or <c>error</c>.</summary>
    public string Status { get; init; } = "success";

    public TimeSpan ToolDelay { get; init; }

    public IReadOnlyList<string>? Stdout { get; init; }

    public IReadOnlyList<string>? Stderr { get; init; }

    /// <summary>The provider's call id; a fresh <c>call_…</c> id when null.</summary>
    public string? ToolCallId { get; init; }
}
