namespace LettaSockets.Server.Security;

/// <summary>One client key, optionally scoped to some agents.</summary>
public sealed class ClientKeyOptions
{
    /// <summary>Shortest key accepted at start-up: anything shorter is guessable.</summary>
    public const int MinimumLength = 16;

    /// <summary>The secret a client presents (<c>Authorization: Bearer …</c> or <c>?access_token=…</c>). Never logged.</summary>
    public string Key { get; set; } = "";

    /// <summary>Agents this key may use; empty = every agent.</summary>
    public List<string> Agents { get; set; } = [];
}
