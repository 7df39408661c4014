using LettaSockets.Simulator.Wire;

namespace LettaSockets.Simulator.Runs;

internal sealed partial class RunEmitter
{
    private const string RateLimitMessage =
        "Rate limit exceeded for LLM model provider. Please wait before making another request.";

    private const string AgentErrorMessage = "An error occurred during agent execution.";

    /// <summary>Ends the run the way <paramref name="injected"/> prescribes (Letta's errors, older Letta versions, Letta's event payloads).</summary>
    public async ValueTask<RunOutcome> EndWithFaultAsync(SimFault injected)
    {
        switch (injected.Kind)
        {
            case FaultKind.ErrorBeforeMessages:
                await ErrorBeforeMessagesAsync(
                    "llm_api_error",
                    "llm_rate_limit",
                    RateLimitMessage,
                    injected.Message ?? "RATE_LIMIT_EXCEEDED: Rate limited by the simulated provider (injected fault).")
                    .ConfigureAwait(false);
                return new RunOutcome(SimRunStatus.Failed, "llm_api_error");

            case FaultKind.LegacyError:
                await PublishAsync(
                    RunChunkKind.Error,
                    Skip(),
                    SseFrames.LegacyError(
                        "llm_timeout",
                        "The LLM request timed out. Please try again.",
                        injected.Message ?? "Simulated provider timeout (injected fault).")).ConfigureAwait(false);
                await PublishAsync(RunChunkKind.Done, Skip(), SseFrames.Done).ConfigureAwait(false);
                return new RunOutcome(SimRunStatus.Failed, "llm_api_error");

            case FaultKind.TransportError:
                await PublishAsync(
                    RunChunkKind.Error,
                    Skip(),
                    SseFrames.TransportError(injected.Message ?? "Simulated unhandled server exception (injected fault)."))
                    .ConfigureAwait(false);
                return new RunOutcome(SimRunStatus.Failed, "error");

            default:
                await ErrorAfterMessagesAsync(injected.Message ?? "Simulated agent failure (injected fault).")
                    .ConfigureAwait(false);
                return new RunOutcome(SimRunStatus.Failed, "error");
        }
    }

    /// <summary>An agent behaviour threw: shape (a) if nothing was said yet, else shape (b) (Letta's errors).</summary>
    public async ValueTask<RunOutcome> EndWithExceptionAsync(Exception exception)
    {
        if (AnyAgentMessage)
        {
            await ErrorAfterMessagesAsync(exception.Message).ConfigureAwait(false);
        }
        else
        {
            await ErrorBeforeMessagesAsync("error", "internal_error", exception.Message, null).ConfigureAwait(false);
        }

        return new RunOutcome(SimRunStatus.Failed, "error");
    }

    /// <summary>Letta's errors (a): stop_reason, event: error, [DONE].</summary>
    private async ValueTask ErrorBeforeMessagesAsync(string stopReason, string errorType, string message, string? detail)
    {
        await PublishAsync(RunChunkKind.StopReason, Skip(), frames.StopReason(stopReason)).ConfigureAwait(false);
        var seq = NextSeq();
        await PublishAsync(RunChunkKind.Error, seq, frames.ErrorMessage(run.Id, errorType, message, detail, seq))
            .ConfigureAwait(false);
        await PublishAsync(RunChunkKind.Done, Skip(), SseFrames.Done).ConfigureAwait(false);
    }

    /// <summary>Letta's errors (b): stop_reason error, event: error internal_error, then the body just ends.</summary>
    private async ValueTask ErrorAfterMessagesAsync(string detail)
    {
        await PublishAsync(RunChunkKind.StopReason, Skip(), frames.StopReason("error")).ConfigureAwait(false);
        var seq = NextSeq();
        await PublishAsync(
            RunChunkKind.Error,
            seq,
            frames.ErrorMessage(run.Id, "internal_error", AgentErrorMessage, detail, seq)).ConfigureAwait(false);
    }
}
