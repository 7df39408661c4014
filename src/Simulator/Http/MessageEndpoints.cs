using LettaSockets.Simulator.Runs;
using LettaSockets.Simulator.Wire;
using Microsoft.AspNetCore.Http;

namespace LettaSockets.Simulator.Http;

/// <summary>
/// <c>POST /v1/agents/{agent_id}/messages</c> (SSE with <c>streaming:true</c>, else JSON) and the deprecated
/// <c>/messages/stream</c> (always SSE, no SDK gate). Every request lands in the journal.
/// </summary>
internal sealed partial class MessageEndpoints(LettaSimulator simulator, SseResponder responder, CancellationToken stopping)
{
    public const string SendRoute = "messages";
    public const string StreamRoute = "messages/stream";

    private TimeProvider Time => simulator.TimeProvider;

    public Task SendAsync(HttpContext context) => HandleAsync(context, SendRoute);

    public Task StreamAsync(HttpContext context) => HandleAsync(context, StreamRoute);

    private async Task HandleAsync(HttpContext context, string route)
    {
        var agentId = (string)context.Request.RouteValues["agent_id"]!;
        var headers = context.Request.Headers;
        var record = NewRecord(context, agentId, route);

        if (!LettaIds.IsAgentId(agentId))
        {
            await RefuseAsync(context, record, ApiError.InvalidPathId("agent_id", agentId, LettaIds.AgentIdRegex)).ConfigureAwait(false);
            return;
        }

        if (!simulator.Agents.TryGet(agentId, out var agent))
        {
            await RefuseAsync(context, record, ApiError.AgentNotFound(agentId)).ConfigureAwait(false);
            return;
        }

        var body = await HttpWrite.ReadBodyAsync(context).ConfigureAwait(false);
        var parsed = MessageRequestParser.Parse(body, route == StreamRoute, out var invalid);
        if (parsed is null)
        {
            await RefuseAsync(context, record, invalid).ConfigureAwait(false);
            return;
        }

        record = WithRequest(record, parsed);
        if (RouteLevelError(route, parsed, headers) is { } refusal)
        {
            await RefuseAsync(context, record, refusal).ConfigureAwait(false);
            return;
        }

        await FaultThenRunAsync(context, agent, parsed, record, target: null).ConfigureAwait(false);
    }

    private MessageRequestRecord NewRecord(HttpContext context, string agentId, string route)
    {
        var headers = context.Request.Headers;
        return new MessageRequestRecord
        {
            AgentId = agentId,
            Route = route,
            HasAuthorization = headers.ContainsKey("Authorization"),
            ProjectId = headers.TryGetValue("X-Project-Id", out var project) ? project.ToString() : null,
            UserAgent = headers.TryGetValue("User-Agent", out var userAgent) ? userAgent.ToString() : null,
            StainlessPackageVersion = headers.TryGetValue("X-Stainless-Package-Version", out var sdk) ? sdk.ToString() : null,
            ReceivedAt = Time.GetUtcNow(),
            Timestamp = Time.GetTimestamp(),
        };
    }

    private static MessageRequestRecord WithRequest(MessageRequestRecord record, ParsedMessageRequest parsed) => record with
    {
        UserText = parsed.UserText,
        Otid = parsed.Otids.Count > 0 ? parsed.Otids[0] : null,
        Otids = parsed.Otids,
        Approvals = parsed.Approvals,
        Streaming = parsed.Streaming,
        StreamTokens = parsed.StreamTokens,
        IncludePings = parsed.IncludePings,
        Background = parsed.Background,
    };

    /// <summary>Takes a staged <see cref="FaultTarget.Messages"/> fault for the agent (if any), then runs the request.</summary>
    private async Task FaultThenRunAsync(
        HttpContext context, SimAgent agent, ParsedMessageRequest parsed, MessageRequestRecord record, ConversationTarget? target)
    {
        var fault = simulator.Faults.TryTake(FaultTarget.Messages, agent.Id, f => parsed.Streaming || f.IsPreStream);
        if (fault is not null)
        {
            Log.FaultInjected(simulator.Logger, fault.Kind, agent.Id);
            record = record with { Fault = fault };
            if (PreStreamFaults.AnswerStatus(fault) is { } status)
            {
                // Journal first: a test may look for the record as soon as its request fails.
                simulator.Journal.Add(record with { StatusCode = status });
            }

            if (fault.IsPreStream && await PreStreamFaults.ApplyAsync(context, fault, agent.Id, Time).ConfigureAwait(false))
            {
                return;
            }
        }

        await RunAsync(context, agent, parsed, record, fault, target).ConfigureAwait(false);
    }

    private async Task RunAsync(
        HttpContext context, SimAgent agent, ParsedMessageRequest parsed, MessageRequestRecord record, SimFault? fault, ConversationTarget? target)
    {
        if (target is not null && parsed.Background && parsed.Otids.Count > 0 && simulator.Runs.FindRetry(parsed.Otids) is { } existing)
        {
            // Letta's duplicate-request recovery: a locked background send whose otids match an earlier run's is a retry: it reads that run's
            // stream from the start instead of starting another run (or meeting the lock's 409).
            Log.DuplicateRecovered(simulator.Logger, existing.Id);
            simulator.Journal.Add(record with { RunId = existing.Id, StatusCode = StatusCodes.Status200OK, Recovered = true });
            var replay = new StreamPlan(existing.Id, parsed.IncludePings, null);
            await responder.WriteAsync(context, new LogFrameSource(existing.Log, 0), replay, stopping).ConfigureAwait(false);
            return;
        }

        var request = new SimRequest
        {
            AgentId = agent.Id,
            RunId = LettaIds.NewRunId(),
            UserText = parsed.UserText,
            Otids = parsed.Otids,
            Approvals = parsed.Approvals,
            Streaming = parsed.Streaming,
            StreamTokens = parsed.StreamTokens,
            IncludePings = parsed.Streaming && parsed.IncludePings,
            Background = parsed.Background,
            ConversationId = target?.ConversationId,
            Inputs = parsed.Inputs,
        };
        var mode = !parsed.Streaming ? RunMode.Blocking : parsed.Background ? RunMode.Background : RunMode.Foreground;
        var runFault = fault is { IsRunLevel: true } ? fault : null;
        if (!simulator.Launcher.TryStart(agent, request, mode, runFault, target?.LockKey, out var run, out var live))
        {
            // Letta's concurrency and otids: the conversation's lock is held; `run` is the holder.
            Log.ConversationBusy(simulator.Logger, target!.LockKey, run.Id);
            await RefuseAsync(context, record, ApiError.ConversationBusy(run.Id)).ConfigureAwait(false);
            return;
        }

        simulator.Journal.Add(record with { RunId = run.Id, StatusCode = StatusCodes.Status200OK });

        var plan = new StreamPlan(run.Id, request.IncludePings, fault is { IsTransport: true } ? fault : null);
        switch (mode)
        {
            case RunMode.Foreground:
                try
                {
                    await responder.WriteAsync(context, live!, plan, stopping).ConfigureAwait(false);
                }
                finally
                {
                    // The response is done (or the client left); the run itself carries on (Letta's cancellation).
                    live!.Detach();
                }

                break;
            case RunMode.Background:
                await responder.WriteAsync(context, new LogFrameSource(run.Log, 0), plan, stopping).ConfigureAwait(false);
                break;
            default:
                await BlockingResponse.WriteAsync(context, run, stopping).ConfigureAwait(false);
                break;
        }
    }

    /// <summary>Letta's request body and Letta's auth and headers checks that Letta makes in the route itself, after validation.</summary>
    private ApiError? RouteLevelError(string route, ParsedMessageRequest parsed, IHeaderDictionary headers)
    {
        if (route != SendRoute)
        {
            return null;
        }

        if (!parsed.Streaming)
        {
            var offending = new List<string>();
            if (parsed.StreamTokens)
            {
                offending.Add("stream_tokens");
            }

            if (parsed.IncludePingsGiven && !parsed.IncludePings)
            {
                offending.Add("include_pings");
            }

            if (parsed.Background)
            {
                offending.Add("background");
            }

            return offending.Count == 0
                ? null
                : ApiError.Detail(422, $"Streaming options ({string.Join(", ", offending)}) require streaming=true.");
        }

        return simulator.Options.EnforceSdkVersionGate && !SdkVersionGate.Allows(headers)
            ? ApiError.Detail(422, SdkVersionGate.RefusalDetail)
            : null;
    }

    private async Task RefuseAsync(HttpContext context, MessageRequestRecord record, ApiError error)
    {
        simulator.Journal.Add(record with { StatusCode = error.StatusCode });
        await HttpWrite.ErrorAsync(context, error).ConfigureAwait(false);
    }
}
