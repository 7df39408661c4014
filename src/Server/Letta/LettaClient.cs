using System.Net.Http.Headers;
using System.Text.Json;
using LettaSockets.Protocol.Frames;
using Microsoft.Extensions.Options;
using LettaSockets.Server.Upstream;

namespace LettaSockets.Server.Letta;

/// <summary>
/// The gateway's only way to Letta: open a message stream, re-attach to a background run, cancel
/// runs, list agents. Authentication headers are added here; retries live in the HTTP pipeline
/// (<see cref="Resilience.LettaResilience"/>) and only ever cover a request whose response
/// has not started.
/// </summary>
public sealed partial class LettaClient(HttpClient http, LettaEndpoint endpoint, IOptions<LettaOptions> options, TimeProvider time, ILogger<LettaClient> logger) : IUpstream
{
    private static readonly MediaTypeWithQualityHeaderValue EventStream = new("text/event-stream");

    /// <summary>What readiness and the start-up warm-up ask Letta.</summary>
    private const string ProbePath = "v1/agents?limit=1";

    private readonly LettaOptions _options = options.Value;

    /// <summary>Letta's HTTP API serves everything the protocol asks for.</summary>
    public UpstreamCapabilities Capabilities => UpstreamCapabilities.All;

    /// <summary>Sends a message (or approval) and returns once Letta's SSE response has started.</summary>
    public async Task<IUpstreamStream> OpenStreamAsync(LettaTurnRequest request, CancellationToken cancellationToken)
    {
        string path = request.ConversationId is { } conversation
            ? $"v1/conversations/{conversation}/messages"
            : _options.UseStreamRoute ? $"v1/agents/{request.AgentId}/messages/stream" : $"v1/agents/{request.AgentId}/messages";
        using var message = new HttpRequestMessage(HttpMethod.Post, await endpoint.UrlAsync(path, cancellationToken).ConfigureAwait(false))
        {
            Content = LettaRequestBody.Message(request, _options.StreamTokens),
        };
        return await SendForStreamAsync(message, cancellationToken).ConfigureAwait(false);
    }

    /// <summary>Re-attaches to a background run's stream after <paramref name="afterSeq"/> (Letta docs: guides/agents/long-running).</summary>
    public async Task<IUpstreamStream> ResumeStreamAsync(string runId, long afterSeq, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, await endpoint.UrlAsync($"v1/runs/{runId}/stream", cancellationToken).ConfigureAwait(false))
        {
            Content = LettaRequestBody.Resume(afterSeq),
        };
        try
        {
            return await SendForStreamAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (UpstreamException e) when (e.StatusCode is 404 or 400)
        {
            // On this route 404 is an unknown run and 400 a run that was not started in background mode.
            throw e.StatusCode == 404
                ? new UpstreamException(ErrorCodes.RunNotFound, "Letta does not know this run.", false, null, e.Detail) { StatusCode = 404 }
                : new UpstreamException(ErrorCodes.NotResumable, "This run was not started as a resumable (background) run.", false, null, e.Detail) { StatusCode = 400 };
        }
    }

    /// <summary>
    /// Re-attaches to the background run whose input carried <paramref name="otid"/>: Letta maps each input
    /// otid to its run, and its conversation re-attach route resolves by it (the agent's <c>default</c>
    /// conversation with <c>agent_id</c> when the turn named none). Letta docs: conversations/stream.
    /// </summary>
    public async Task<IUpstreamStream> ResumeTurnStreamAsync(string agentId, string? conversationId, string otid, long afterSeq, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, await endpoint.UrlAsync($"v1/conversations/{conversationId ?? "default"}/stream", cancellationToken).ConfigureAwait(false))
        {
            Content = LettaRequestBody.ResumeTurn(conversationId is null ? agentId : null, otid, afterSeq),
        };
        try
        {
            return await SendForStreamAsync(message, cancellationToken).ConfigureAwait(false);
        }
        catch (UpstreamException e) when (e.StatusCode is 404 or 400)
        {
            // No run carries that otid (never started, or not in background mode), or it is gone.
            throw new UpstreamException(ErrorCodes.RunNotFound, "No resumable run of this turn was found: resume it with its run_id, or send the message again.", false, null, e.Detail) { StatusCode = e.StatusCode };
        }
    }

    /// <summary>The agent's active background runs (<c>GET /v1/runs/?agent_id=&amp;active=true&amp;background=true</c>,
    /// newest first) in <paramref name="conversationId"/>, or in no named conversation when null.</summary>
    public async Task<IReadOnlyList<string>> ListActiveRunsAsync(string agentId, string? conversationId, CancellationToken cancellationToken)
    {
        using JsonDocument document = await GetJsonAsync($"v1/runs/?agent_id={Uri.EscapeDataString(agentId)}&active=true&background=true&order=desc&limit=20", cancellationToken).ConfigureAwait(false);
        var runs = new List<string>();
        if (document.RootElement.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement run in document.RootElement.EnumerateArray())
            {
                if (JsonFields.String(run, "id") is { } id && JsonFields.String(run, "conversation_id") == conversationId)
                {
                    runs.Add(id);
                }
            }
        }

        return runs;
    }

    /// <summary>Asks Letta to cancel a run (Letta API docs: agents/messages/cancel). Returns false when Letta could not be told.</summary>
    public async Task<bool> CancelRunAsync(string agentId, string? runId, CancellationToken cancellationToken)
    {
        try
        {
            using var message = new HttpRequestMessage(HttpMethod.Post, await endpoint.UrlAsync($"v1/agents/{agentId}/messages/cancel", cancellationToken).ConfigureAwait(false))
            {
                Content = LettaRequestBody.Cancel(runId),
            };
            message.Options.Set(Resilience.LettaResilience.BypassBreaker, true);
            AddHeaders(message);
            using var response = await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);

            // 409 means nothing was running any more: the run already ended, which is what we wanted.
            bool ok = response.IsSuccessStatusCode || (int)response.StatusCode == 409;
            Log.RunCancelled(logger, agentId, runId, (int)response.StatusCode);
            return ok;
        }
        catch (Exception e) when (e is HttpRequestException or OperationCanceledException or Polly.ExecutionRejectedException)
        {
            // ExecutionRejectedException: the circuit is open or the attempt timed out. The callers
            // (pumps, teardown) must never fault because Letta could not be told.
            Log.CancelFailed(logger, agentId, runId, e.GetType().Name);
            return false;
        }
    }

    /// <summary>Readiness probe: whether Letta answers <c>GET /v1/agents?limit=1</c> with success; the
    /// status (or the failure's name) otherwise. Never throws for an upstream failure.</summary>
    public async Task<(bool Ok, string Detail)> ProbeAsync(CancellationToken cancellationToken)
    {
        try
        {
            Uri url = await endpoint.UrlAsync(ProbePath, cancellationToken).ConfigureAwait(false);
            using HttpResponseMessage response = await SendProbeAsync(url, cancellationToken).ConfigureAwait(false);
            return (response.IsSuccessStatusCode, $"HTTP {(int)response.StatusCode}");
        }
        catch (UpstreamException e)
        {
            return (false, e.Code);
        }
    }

    /// <summary>Which agent (and conversation) a run belongs to (<c>GET /v1/runs/{id}</c>); null when
    /// Letta does not know the run.</summary>
    public Task<ObjectOwner?> GetRunOwnerAsync(string runId, CancellationToken cancellationToken) =>
        GetOwnerAsync($"v1/runs/{runId}", cancellationToken);

    /// <summary>Which agent a conversation belongs to (<c>GET /v1/conversations/{id}</c>); null when
    /// Letta does not know the conversation.</summary>
    public Task<ObjectOwner?> GetConversationOwnerAsync(string conversationId, CancellationToken cancellationToken) =>
        GetOwnerAsync($"v1/conversations/{conversationId}", cancellationToken);

    private async Task<ObjectOwner?> GetOwnerAsync(string relative, CancellationToken cancellationToken)
    {
        JsonDocument document;
        try
        {
            document = await GetJsonAsync(relative, cancellationToken).ConfigureAwait(false);
        }
        catch (UpstreamException e) when (e.StatusCode is 404 or 422)
        {
            return null; // unknown, or not even an id of that kind
        }

        using (document)
        {
            JsonElement root = document.RootElement;
            return JsonFields.String(root, "agent_id") is { } agent ? new ObjectOwner(agent, JsonFields.String(root, "conversation_id")) : null;
        }
    }

    /// <summary>Letta's agents, id and name only.</summary>
    public async Task<IReadOnlyList<AgentSummary>> ListAgentsAsync(CancellationToken cancellationToken)
    {
        using JsonDocument document = await GetJsonAsync("v1/agents?limit=100", cancellationToken).ConfigureAwait(false);
        var agents = new List<AgentSummary>();
        if (document.RootElement.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement agent in document.RootElement.EnumerateArray())
            {
                if (JsonFields.String(agent, "id") is { } id)
                {
                    agents.Add(new AgentSummary(id, JsonFields.String(agent, "name") ?? id));
                }
            }
        }

        return agents;
    }

    /// <summary>The agent's conversations (<c>GET /v1/conversations/?agent_id=&amp;order=desc</c>), newest first as Letta orders them.</summary>
    public async Task<IReadOnlyList<ConversationSummary>> ListConversationsAsync(string agentId, int limit, CancellationToken cancellationToken)
    {
        using JsonDocument document = await GetJsonAsync($"v1/conversations/?agent_id={Uri.EscapeDataString(agentId)}&limit={limit}&order=desc", cancellationToken).ConfigureAwait(false);
        var conversations = new List<ConversationSummary>();
        if (document.RootElement.ValueKind == JsonValueKind.Array)
        {
            foreach (JsonElement conversation in document.RootElement.EnumerateArray())
            {
                if (ToConversation(conversation) is { } summary)
                {
                    conversations.Add(summary);
                }
            }
        }

        return conversations;
    }

    /// <summary>A page of stored messages, newest first from Letta (<c>order=desc</c>), returned oldest first
    /// (Letta docs: agents/messages/list, conversations/messages/list).</summary>
    public async Task<HistoryPage> ListMessagesAsync(string agentId, string? conversationId, int limit, string? before, CancellationToken cancellationToken)
    {
        string path = conversationId is null
            ? $"v1/agents/{Uri.EscapeDataString(agentId)}/messages"
            : $"v1/conversations/{Uri.EscapeDataString(conversationId)}/messages";
        string query = $"?limit={limit}&order=desc" + (before is null ? string.Empty : $"&before={Uri.EscapeDataString(before)}");
        using JsonDocument document = await GetJsonAsync(path + query, cancellationToken).ConfigureAwait(false);
        return LettaHistory.Read(document.RootElement, limit, newestFirst: conversationId is not null);
    }

    /// <summary>Starts a conversation (<c>POST /v1/conversations/?agent_id=</c>, Letta docs: conversations/create).</summary>
    public async Task<ConversationSummary> CreateConversationAsync(string agentId, string? summary, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Post, await endpoint.UrlAsync($"v1/conversations/?agent_id={Uri.EscapeDataString(agentId)}", cancellationToken).ConfigureAwait(false))
        {
            Content = LettaRequestBody.Conversation(summary),
        };
        AddHeaders(message);
        using var response = await SendAsync(message, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw UpstreamErrors.FromStatus(response.StatusCode, response.Headers, await ReadDetailAsync(response, cancellationToken).ConfigureAwait(false));
        }

        await using Stream body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        using JsonDocument document = await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken).ConfigureAwait(false);
        return ToConversation(document.RootElement) ?? throw UpstreamErrors.BrokenStream("Letta answered the new conversation without its id.");
    }

    private static ConversationSummary? ToConversation(JsonElement conversation)
    {
        return JsonFields.String(conversation, "id") is { } id && JsonFields.String(conversation, "agent_id") is { } agent
            ? new ConversationSummary(id, agent, JsonFields.String(conversation, "summary"), JsonFields.String(conversation, "created_at"), JsonFields.String(conversation, "last_message_at"))
            : null;
    }

    /// <summary>GETs a Letta JSON resource; a failure status becomes an <see cref="UpstreamException"/>.</summary>
    private async Task<JsonDocument> GetJsonAsync(string relative, CancellationToken cancellationToken)
    {
        using var message = new HttpRequestMessage(HttpMethod.Get, await endpoint.UrlAsync(relative, cancellationToken).ConfigureAwait(false));
        AddHeaders(message);
        using var response = await SendAsync(message, cancellationToken).ConfigureAwait(false);
        if (!response.IsSuccessStatusCode)
        {
            throw UpstreamErrors.FromStatus(response.StatusCode, response.Headers, await ReadDetailAsync(response, cancellationToken).ConfigureAwait(false));
        }

        await using Stream body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        return await JsonDocument.ParseAsync(body, cancellationToken: cancellationToken).ConfigureAwait(false);
    }

    private async Task<LettaStream> SendForStreamAsync(HttpRequestMessage message, CancellationToken cancellationToken)
    {
        AddHeaders(message);
        message.Headers.Accept.Add(EventStream);
        HttpResponseMessage response = await SendAsync(message, cancellationToken).ConfigureAwait(false);
        try
        {
            if (!response.IsSuccessStatusCode)
            {
                string? detail = await ReadDetailAsync(response, cancellationToken).ConfigureAwait(false);
                throw UpstreamErrors.FromStatus(response.StatusCode, response.Headers, detail);
            }

            string? mediaType = response.Content.Headers.ContentType?.MediaType;
            if (!string.Equals(mediaType, "text/event-stream", StringComparison.OrdinalIgnoreCase))
            {
                throw new UpstreamException(ErrorCodes.UpstreamUnavailable, "Letta did not answer with an event stream.", true, null, $"content-type: {mediaType ?? "none"}");
            }

            return new LettaStream(response, time, _options.IdleTimeout);
        }
        catch
        {
            response.Dispose();
            throw;
        }
    }

    private async Task<HttpResponseMessage> SendAsync(HttpRequestMessage message, CancellationToken cancellationToken)
    {
        try
        {
            return await http.SendAsync(message, HttpCompletionOption.ResponseHeadersRead, cancellationToken).ConfigureAwait(false);
        }
        catch (HttpRequestException e)
        {
            throw UpstreamErrors.Unreachable(e);
        }
        catch (Polly.Timeout.TimeoutRejectedException)
        {
            throw UpstreamErrors.Timeout($"Letta did not answer within {_options.OpenTimeout.TotalSeconds:0.#} s.");
        }
        catch (Polly.CircuitBreaker.BrokenCircuitException e)
        {
            throw new UpstreamException(ErrorCodes.UpstreamUnavailable, "Letta is failing; the gateway is not sending it new turns for a moment.", true, e.RetryAfter ?? TimeSpan.FromSeconds(5));
        }
    }

    private void AddHeaders(HttpRequestMessage message)
    {
        // No User-Agent on purpose: Letta's SDK-version gate (Letta API docs: docs.letta.com/api) refuses unknown agents
        // but lets a request without one through.
        if (!string.IsNullOrEmpty(_options.ApiKey))
        {
            message.Headers.Authorization = new AuthenticationHeaderValue("Bearer", _options.ApiKey);
        }

        if (!string.IsNullOrEmpty(_options.ProjectId))
        {
            message.Headers.TryAddWithoutValidation("X-Project-Id", _options.ProjectId);
        }
    }

    /// <summary>Letta's <c>detail</c> text, read from at most a few KiB of an error body.</summary>
    private static async Task<string?> ReadDetailAsync(HttpResponseMessage response, CancellationToken cancellationToken)
    {
        try
        {
            byte[] bytes = await ReadPrefixAsync(response, 4096, cancellationToken).ConfigureAwait(false);
            if (bytes.Length == 0)
            {
                return null;
            }

            if (response.Content.Headers.ContentType?.MediaType?.Contains("json", StringComparison.OrdinalIgnoreCase) == true)
            {
                using var document = JsonDocument.Parse(bytes);
                if (document.RootElement.ValueKind == JsonValueKind.Object && document.RootElement.TryGetProperty("detail", out var detail))
                {
                    return Truncate(detail.ValueKind == JsonValueKind.String ? detail.GetString() : detail.GetRawText());
                }
            }

            return $"{response.Content.Headers.ContentType?.MediaType ?? "no content-type"} body";
        }
        catch (Exception e) when (e is JsonException or HttpRequestException or IOException)
        {
            return null;
        }
    }

    private static async Task<byte[]> ReadPrefixAsync(HttpResponseMessage response, int limit, CancellationToken cancellationToken)
    {
        await using Stream body = await response.Content.ReadAsStreamAsync(cancellationToken).ConfigureAwait(false);
        byte[] buffer = new byte[limit];
        int total = 0;
        int read;
        while (total < limit && (read = await body.ReadAsync(buffer.AsMemory(total), cancellationToken).ConfigureAwait(false)) > 0)
        {
            total += read;
        }

        return buffer.AsSpan(0, total).ToArray();
    }

    private static string? Truncate(string? text) => text is { Length: > 500 } ? text[..500] + "…" : text;
}

/// <summary>An agent as the page's picker shows it.</summary>
