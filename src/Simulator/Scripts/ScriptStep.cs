namespace LettaSockets.Simulator;

/// <summary>One agent step: a single LLM response (one <c>message-…</c> id) plus the tool it ran.</summary>
public sealed class ScriptStep
{
    private readonly List<ScriptPart> _parts = [];

    public IReadOnlyList<ScriptPart> Parts => _parts;

    internal void Add(ScriptPart part) => _parts.Add(part);
}
