namespace LettaSockets.Simulator;

/// <summary>Settings of the Letta simulator; the defaults mirror a self-hosted Letta 0.16.</summary>
public sealed class SimulatorOptions
{
    /// <summary>Configuration section the program binds (<c>Simulator:Port</c> …).</summary>
    public const string SectionName = "Simulator";

    public string Host { get; set; } = "127.0.0.1";

    /// <summary>8283 is Letta's default port (Letta's auth and headers); 0 picks a free one.</summary>
    public int Port { get; set; } = 8283;

    /// <summary>A ping after this much silence when the request has include_pings (Letta's keep-alive pings: 20 s since 0.16.5).</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>How often a running stream looks for a cancel (Letta's cancellation pattern B: Letta checks every 0.5 s).</summary>
    public TimeSpan CancelPollInterval { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Scales every scripted delay; 0 makes scripts instant (benchmark pacing is not scaled).</summary>
    public double PaceMultiplier { get; set; } = 1.0;

    /// <summary>Letta's auth and headers: refuse <c>streaming:true</c> on <c>/messages</c> from clients that do not look like SDK v1.</summary>
    public bool EnforceSdkVersionGate { get; set; } = true;

    /// <summary>Background runs older than this answer 410 on re-attach (Letta's background runs: Redis TTL 3 h).</summary>
    public TimeSpan RunRetention { get; set; } = TimeSpan.FromHours(3);

    /// <summary>
    /// How many finished runs the simulator remembers (<c>GET /v1/runs/{id}</c>, re-attach); beyond it the oldest
    /// finished ones are forgotten, active runs never. Letta keeps run rows forever, but only 3 h of their streams
    /// (Redis TTL); a long-running simulator must not grow without end.
    /// </summary>
    public int MaxRetainedRuns { get; set; } = 1000;

    /// <summary>
    /// Finished runs are forgotten this long after they ended (then 404). Twice <see cref="RunRetention"/> by default,
    /// so a late re-attach still gets Letta's 410 before the run is gone.
    /// </summary>
    public TimeSpan RetainedRunLifetime { get; set; } = TimeSpan.FromHours(6);

    /// <summary>How many history messages (input and output) are kept, all agents together; the oldest go first.</summary>
    public int MaxRetainedMessages { get; set; } = 20_000;

    /// <summary>When set, every <c>/v1</c> route needs <c>Authorization: Bearer &lt;key&gt;</c> (Letta's auth and headers password mode).</summary>
    public string? RequiredApiKey { get; set; }

    /// <summary>Registers the five demo agents (<see cref="DemoAgents"/>) at start.</summary>
    public bool IncludeDemoAgents { get; set; } = true;

    /// <summary>Reports every invalid setting at once.</summary>
    public IReadOnlyList<string> Validate()
    {
        var errors = new List<string>();
        if (string.IsNullOrWhiteSpace(Host))
        {
            errors.Add("Host must not be empty.");
        }

        if (Port is < 0 or > 65535)
        {
            errors.Add($"Port must be 0..65535 (was {Port}).");
        }

        if (KeepAliveInterval <= TimeSpan.Zero)
        {
            errors.Add($"KeepAliveInterval must be positive (was {KeepAliveInterval}).");
        }

        if (CancelPollInterval <= TimeSpan.Zero)
        {
            errors.Add($"CancelPollInterval must be positive (was {CancelPollInterval}).");
        }

        if (PaceMultiplier < 0 || double.IsNaN(PaceMultiplier) || double.IsInfinity(PaceMultiplier))
        {
            errors.Add($"PaceMultiplier must be a finite number >= 0 (was {PaceMultiplier}).");
        }

        if (RunRetention < TimeSpan.Zero)
        {
            errors.Add($"RunRetention must not be negative (was {RunRetention}).");
        }

        if (MaxRetainedRuns < 1)
        {
            errors.Add($"MaxRetainedRuns must be at least 1 (was {MaxRetainedRuns}).");
        }

        if (RetainedRunLifetime <= TimeSpan.Zero)
        {
            errors.Add($"RetainedRunLifetime must be positive (was {RetainedRunLifetime}).");
        }

        if (MaxRetainedMessages < 1)
        {
            errors.Add($"MaxRetainedMessages must be at least 1 (was {MaxRetainedMessages}).");
        }

        return errors;
    }
}
