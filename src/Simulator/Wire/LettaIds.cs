using System.Text.RegularExpressions;

namespace LettaSockets.Simulator.Wire;

/// <summary>Id formats of Letta's auth and headers: a prefix and a lowercase UUIDv4; otids per Letta's token and step streaming.</summary>
internal static partial class LettaIds
{
    public const string MessagePrefix = "message-";

    public static string NewMessageId() => MessagePrefix + Guid.NewGuid().ToString("D");

    public static string NewRunId() => "run-" + Guid.NewGuid().ToString("D");

    public static string NewStepId() => "step-" + Guid.NewGuid().ToString("D");

    public static string NewPingId() => "ping-" + Guid.NewGuid().ToString("D");

    public static string NewConversationId() => "conv-" + Guid.NewGuid().ToString("D");

    /// <summary>OpenAI-style provider tool call id; Letta passes these through untouched (Letta's auth and headers).</summary>
    public static string NewToolCallId() => "call_" + Guid.NewGuid().ToString("N")[..24];

    /// <summary>
    /// Letta's token and step streaming: the id's UUID with its low 7 bits replaced by <paramref name="index"/>, so index 0 usually
    /// differs from the id itself (…c0 becomes …80).
    /// </summary>
    public static string Otid(string prefixedId, int index)
    {
        var uuid = prefixedId.AsSpan(prefixedId.IndexOf('-') + 1);
        var last = Convert.ToInt32(uuid[^2..].ToString(), 16);
        var replaced = (last & 0x80) | (index & 0x7F);
        return string.Concat(uuid[..^2], replaced.ToString("x2"));
    }

    public static bool IsAgentId(string? value) => value is not null && AgentPattern().IsMatch(value);

    public static bool IsRunId(string? value) => value is not null && RunPattern().IsMatch(value);

    public static bool IsConversationId(string? value) => value is not null && ConversationPattern().IsMatch(value);

    public const string AgentIdRegex =
        "^agent-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$";

    public const string RunIdRegex =
        "^run-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$";

    public const string ConversationIdRegex =
        "^conv-[0-9a-f]{8}-[0-9a-f]{4}-4[0-9a-f]{3}-[89ab][0-9a-f]{3}-[0-9a-f]{12}$";

    [GeneratedRegex(AgentIdRegex, RegexOptions.CultureInvariant)]
    private static partial Regex AgentPattern();

    [GeneratedRegex(RunIdRegex, RegexOptions.CultureInvariant)]
    private static partial Regex RunPattern();

    [GeneratedRegex(ConversationIdRegex, RegexOptions.CultureInvariant)]
    private static partial Regex ConversationPattern();
}
