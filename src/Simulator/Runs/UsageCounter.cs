using LettaSockets.Simulator.Wire;

namespace LettaSockets.Simulator.Runs;

/// <summary>Derives plausible, deterministic usage numbers from what a run emitted.</summary>
internal sealed class UsageCounter(string userText, ScriptUsage? fixedUsage)
{
    private int _completion;
    private int _reasoning;
    private int _steps;
    private int _stepCompletion;
    private int _lastStepCompletion;

    private int PromptPerStep => 1200 + (userText.Length / 4);

    public void AddCompletion(int tokens, bool reasoning = false)
    {
        _completion += tokens;
        _stepCompletion += tokens;
        if (reasoning)
        {
            _reasoning += tokens;
        }
    }

    public void StepDone()
    {
        _steps++;
        _lastStepCompletion = _stepCompletion;
        _stepCompletion = 0;
    }

    public UsageTotals Totals()
    {
        if (fixedUsage is { } usage)
        {
            return new UsageTotals(
                usage.CompletionTokens,
                usage.PromptTokens,
                _steps,
                usage.CachedInputTokens,
                usage.CacheWriteTokens,
                usage.ReasoningTokens,
                usage.ContextTokens);
        }

        return new UsageTotals(
            _completion,
            PromptPerStep * _steps,
            _steps,
            CachedInputTokens: 0,
            CacheWriteTokens: 0,
            ReasoningTokens: _reasoning,
            ContextTokens: _steps == 0 ? 0 : PromptPerStep + _lastStepCompletion);
    }
}
