namespace LettaSockets.Protocol.Frames;

/// <summary>
/// Which ids the gateway passes to Letta in a URL path. Letta's own ids look like
/// <c>agent-&lt;uuid&gt;</c>; the gateway accepts any <c>[A-Za-z0-9_-]{1,128}</c> so other deployments
/// work, and nothing else — no dot, slash or percent sign can reach the upstream path.
/// </summary>
public static class AgentIds
{
    public static bool IsValid(string? id)
    {
        if (string.IsNullOrEmpty(id) || id.Length > 128)
        {
            return false;
        }

        foreach (char c in id)
        {
            if (!(char.IsAsciiLetterOrDigit(c) || c is '-' or '_'))
            {
                return false;
            }
        }

        return true;
    }
}
