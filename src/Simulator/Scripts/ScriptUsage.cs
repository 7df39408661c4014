namespace LettaSockets.Simulator;

/// <summary>Fixed numbers for a script's <c>usage_statistics</c>; when absent they are derived from the output.</summary>
public sealed record ScriptUsage(int PromptTokens, int CompletionTokens)
{
    public int? CachedInputTokens { get; init; }

    public int? CacheWriteTokens { get; init; }

    public int? ReasoningTokens { get; init; }

    public int? ContextTokens { get; init; }
}
