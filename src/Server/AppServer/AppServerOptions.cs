namespace LettaSockets.Server.AppServer;

/// <summary>
/// How the gateway drives a Letta Code App Server (configuration section <c>AppServer</c>); used when
/// <c>Letta:BaseUrl</c> is a <c>ws://</c> or <c>wss://</c> URL. <c>Letta:ApiKey</c> is its token.
/// </summary>
public sealed class AppServerOptions
{
    public const string Section = "AppServer";

    /// <summary>The permission mode every runtime is started in. The App Server's own default lets an agent
    /// run shell commands on its host without asking; <c>standard</c> asks the client first
    /// (<c>approval_request</c>). <c>unrestricted</c> only when an operator writes it.</summary>
    public string PermissionMode { get; set; } = "standard";

    /// <summary>The App Server tools a turn may use; empty = no tools at all; unset = what the mode allows.</summary>
    public string[]? ToolAllowList { get; set; }

    /// <summary>Leave out the tools that ask the user a question mid-turn (the gateway's clients answer approvals only).</summary>
    public bool ExcludeInteractiveTools { get; set; } = true;

    /// <summary>Bound on opening the upstream socket (TCP, upgrade, <c>app_server_info</c>).</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>Bound on waiting for the App Server to acknowledge a command (<c>input_accepted</c>, <c>runtime_start_response</c>, …).</summary>
    public TimeSpan AckTimeout { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>A turn silent this long gets a <c>status: working</c> heartbeat (tools running, model thinking).</summary>
    public TimeSpan HeartbeatInterval { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>First reconnect delay after the upstream socket closed (exponential, with jitter).</summary>
    public TimeSpan ReconnectBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    /// <summary>Longest delay between reconnect attempts.</summary>
    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>WebSocket ping interval on the upstream socket; the App Server also pings every 30 s.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>A ping unanswered this long closes the upstream socket as dead.</summary>
    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>Upstream events one turn may have waiting for its client; beyond that the turn is stopped
    /// (the upstream socket is shared: the reader never waits for one slow client).</summary>
    public int MaxBufferedEventsPerTurn { get; set; } = 4096;

    /// <summary>How long an approval may wait for the client's answer before the App Server turn is aborted.</summary>
    public TimeSpan ApprovalTimeout { get; set; } = TimeSpan.FromMinutes(30);

    /// <summary>The least time between a runtime's <c>turn_finished</c> and the next input to it (works
    /// around an App Server race where a turn started at once after another cannot be aborted).</summary>
    public TimeSpan InputSettleDelay { get; set; } = TimeSpan.FromMilliseconds(150);

    /// <summary>Largest upstream message accepted (agent snapshots and histories are tens of KB).</summary>
    public int MaxFrameBytes { get; set; } = 16 * 1024 * 1024;

    /// <summary>Runtimes (agent + conversation) the gateway remembers; beyond this it forgets the idle ones
    /// that finished longest ago (their App Server runtimes are started again when next used).</summary>
    public int MaxRuntimes { get; set; } = 1024;

    internal static readonly string[] PermissionModes = ["standard", "acceptEdits", "strict", "unrestricted"];
}
