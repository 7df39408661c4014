using Polly;

namespace LettaSockets.Server.Resilience;

/// <summary>
/// Runs every request to Letta through one <see cref="ResiliencePipeline{T}"/> built at start-up
/// (retry with backoff honouring Retry-After, per-attempt timeout, circuit breaker). The handler
/// returns as soon as response headers arrive, so only a request whose response has not started is
/// ever retried: no relayed event is ever repeated, and Letta never sees a second user message for
/// a run that exists (a failed open created no run; the input's otid stays the same anyway).
/// </summary>
public sealed class LettaResilienceHandler(LettaPipelines pipelines) : DelegatingHandler
{
    protected override async Task<HttpResponseMessage> SendAsync(HttpRequestMessage request, CancellationToken cancellationToken)
    {
        ResiliencePipeline<HttpResponseMessage> pipeline =
            request.Options.TryGetValue(LettaResilience.BypassBreaker, out bool bypass) && bypass ? pipelines.Unguarded : pipelines.Guarded;
        ResilienceContext context = ResilienceContextPool.Shared.Get(cancellationToken);
        try
        {
            context.Properties.Set(LettaResilience.RequestKey, request);
            Outcome<HttpResponseMessage> outcome = await pipeline.ExecuteOutcomeAsync(
                static async (ctx, state) =>
                {
                    try
                    {
                        var response = await state.Handler.BaseSendAsync(state.Request, ctx.CancellationToken).ConfigureAwait(ctx.ContinueOnCapturedContext);
                        return Outcome.FromResult(response);
                    }
                    catch (Exception e)
                    {
                        return Outcome.FromException<HttpResponseMessage>(e);
                    }
                },
                context,
                (Handler: this, Request: request)).ConfigureAwait(false);
            outcome.ThrowIfException();
            return outcome.Result!;
        }
        finally
        {
            ResilienceContextPool.Shared.Return(context);
        }
    }

    private Task<HttpResponseMessage> BaseSendAsync(HttpRequestMessage request, CancellationToken cancellationToken) =>
        base.SendAsync(request, cancellationToken);
}
