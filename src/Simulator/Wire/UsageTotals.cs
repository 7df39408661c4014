namespace LettaSockets.Simulator.Wire;

/// <summary>The numbers of a <c>usage_statistics</c> event (Letta's event payloads).</summary>
internal readonly record struct UsageTotals(
    int CompletionTokens,
    int PromptTokens,
    int StepCount,
    int? CachedInputTokens,
    int? CacheWriteTokens,
    int? ReasoningTokens,
    int? ContextTokens);
