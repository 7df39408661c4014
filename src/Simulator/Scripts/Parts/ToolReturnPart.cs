namespace LettaSockets.Simulator;

/// <summary>
/// A <c>tool_return_message</c> without a call in the same run: an approved tool executing at the
/// start of the run that answered the approval. Ends the step.
/// </summary>
public sealed record ToolReturnPart(string Name, string Result, string ToolCallId, string Status = "success") : ScriptPart
{
    public IReadOnlyList<string>? Stdout { get; init; }

    public IReadOnlyList<string>? Stderr { get; init; }
}
