namespace LettaSockets.Server.Security;

/// <summary>Who may use the gateway (configuration section <c>Auth</c>).</summary>
public sealed class AuthOptions
{
    public const string Section = "Auth";

    /// <summary>Client keys (<c>Auth:ApiKeys:0:Key</c>, optionally <c>Auth:ApiKeys:0:Agents:0</c> …).
    /// None: the gateway is open, and says so at start-up when it listens beyond loopback.</summary>
    public List<ClientKeyOptions> ApiKeys { get; set; } = [];

    /// <summary>Origins whose pages may open sockets and call the API (e.g. <c>https://chat.example.com</c>;
    /// <c>*</c> allows any). The gateway's own origin is always allowed. Empty: its own origin and
    /// http(s) pages on localhost, 127.0.0.1 or [::1], any port.</summary>
    public List<string> AllowedOrigins { get; set; } = [];
}
