using Microsoft.AspNetCore.Http;

namespace LettaSockets.Simulator.Http;

/// <summary>
/// Letta's auth and headers: Letta answers <c>streaming:true</c> on <c>/messages</c> only for clients that look like SDK v1 —
/// an <c>X-Stainless-Package-Version</c> header, no <c>User-Agent</c> at all, or a letta-client/1.x one.
/// </summary>
internal static class SdkVersionGate
{
    public const string RefusalDetail = "streaming=true is only supported for SDK v1.0+ clients.";

    public static bool Allows(IHeaderDictionary headers)
    {
        if (headers.ContainsKey("X-Stainless-Package-Version"))
        {
            return true;
        }

        var userAgent = headers.UserAgent.ToString();
        return userAgent.Length == 0
            || userAgent.StartsWith("letta-client/1.", StringComparison.Ordinal)
            || userAgent.StartsWith("@letta-ai/letta-client/1.", StringComparison.Ordinal);
    }
}
