namespace LettaSockets.Protocol.Frames;

/// <summary>Letta's <c>usage_statistics</c> (Letta docs: guides/agents/streaming), relayed in <c>done.usage</c>.</summary>
public sealed record UsageInfo
{
    public long? PromptTokens { get; init; }
    public long? CompletionTokens { get; init; }
    public long? TotalTokens { get; init; }
    public long? StepCount { get; init; }
    public long? CachedInputTokens { get; init; }
    public long? CacheWriteTokens { get; init; }
    public long? ReasoningTokens { get; init; }
    public long? ContextTokens { get; init; }
}
