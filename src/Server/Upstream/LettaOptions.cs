namespace LettaSockets.Server.Upstream;

/// <summary>How the gateway reaches Letta (configuration section <c>Letta</c>).</summary>
public sealed class LettaOptions
{
    public const string Section = "Letta";

    /// <summary>Upper bound of <see cref="WarmConnections"/>.</summary>
    public const int MaxWarmConnections = 1024;

    /// <summary>Letta's base URL: <c>https://api.letta.com</c> (Letta's HTTP API), or the Letta Code App
    /// Server's WebSocket URL as it prints it (<c>ws://127.0.0.1:4500/ws</c>). Empty: the gateway hosts the
    /// embedded simulator on a loopback port and uses it.</summary>
    public string? BaseUrl { get; set; }

    /// <summary>Bearer key for Letta Cloud, or the App Server's capability token. Never logged, never sent to a client.</summary>
    public string? ApiKey { get; set; }

    /// <summary>Letta Cloud project id, sent as <c>X-Project-Id</c>.</summary>
    public string? ProjectId { get; set; }

    /// <summary>Agent for <c>/ws</c> without an id. With the embedded simulator it defaults to its demo assistant.</summary>
    public string? DefaultAgentId { get; set; }

    /// <summary>Ask Letta for token deltas (<c>stream_tokens</c>) rather than whole messages per step.</summary>
    public bool StreamTokens { get; set; } = true;

    /// <summary>Use the deprecated <c>POST …/messages/stream</c> route instead of <c>…/messages</c> with <c>streaming:true</c>.</summary>
    public bool UseStreamRoute { get; set; }

    /// <summary>Whether this server offers resumable turns at all (<c>ready.resumable</c>). They need Letta's
    /// background mode, which a self-hosted Letta only has with Redis.</summary>
    public bool ResumableTurns { get; set; } = true;

    /// <summary>Default for messages that do not say <c>resumable</c>: run them as Letta background runs.</summary>
    public bool Background { get; set; }

    /// <summary>A turn whose stream is silent this long fails with <c>upstream_timeout</c>. Letta pings every 20 s, so the default leaves room for two missed pings.</summary>
    public TimeSpan IdleTimeout { get; set; } = TimeSpan.FromSeconds(60);

    /// <summary>Bound on one attempt to open a stream (until response headers).</summary>
    public TimeSpan OpenTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Retries of the opening request after a connection failure, 408, 429 or 5xx.</summary>
    public int MaxRetries { get; set; } = 2;

    /// <summary>First backoff delay (exponential, with jitter).</summary>
    public TimeSpan RetryBaseDelay { get; set; } = TimeSpan.FromMilliseconds(250);

    /// <summary>A 429 asking to wait longer than this is not retried; the client gets <c>rate_limited</c> with the wait.</summary>
    public TimeSpan MaxRetryAfter { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Bound on a call to Letta's cancel endpoint.</summary>
    public TimeSpan CancelTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>After a cancel, how long the gateway waits for Letta to wind the run down before giving up on it.</summary>
    public TimeSpan WindDownTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Connections to Letta's HTTP API opened at start-up, before the gateway listens, for the turns that
    /// start as soon as it does (a deploy, a restart, a failover). Each costs Letta one cheap request
    /// (<c>GET /v1/agents?limit=1</c>); 0 turns the warm-up off. Size it to the turns you expect to start in
    /// an instance's first seconds. Not used with the App Server, which is one socket.</summary>
    public int WarmConnections { get; set; } = 32;

    /// <summary>Bound on the start-up warm-up: a Letta that is down or slow delays listening by at most this.</summary>
    public TimeSpan WarmUpTimeout { get; set; } = TimeSpan.FromSeconds(3);

    public bool UsesEmbeddedSimulator => string.IsNullOrWhiteSpace(BaseUrl);

    /// <summary>A <c>ws://</c> or <c>wss://</c> base URL: the Letta Code App Server's WebSocket (section <c>AppServer</c>).</summary>
    public bool UsesAppServer => !UsesEmbeddedSimulator && (BaseUrl!.StartsWith("ws://", StringComparison.OrdinalIgnoreCase) || BaseUrl.StartsWith("wss://", StringComparison.OrdinalIgnoreCase));
}
