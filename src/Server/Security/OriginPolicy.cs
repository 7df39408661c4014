using System.Net;
using Microsoft.Extensions.Options;

namespace LettaSockets.Server.Security;

/// <summary>
/// Which browser pages may use the gateway: the defence against cross-site WebSocket hijacking
/// (browsers send <c>Origin</c> with every upgrade, and no page can forge it). A request without
/// <c>Origin</c> comes from a non-browser client (wscat, a server) and is judged by its key alone.
/// </summary>
public sealed class OriginPolicy
{
    private readonly HashSet<string> _allowed;
    private readonly bool _any;

    public OriginPolicy(IOptions<AuthOptions> options)
    {
        List<string> configured = options.Value.AllowedOrigins;
        _any = configured.Contains("*");
        _allowed = configured.Select(Normalize).OfType<string>().ToHashSet(StringComparer.Ordinal);
    }

    public bool IsAllowed(HttpRequest request)
    {
        string? origin = request.Headers.Origin;
        if (string.IsNullOrEmpty(origin) || _any)
        {
            return true;
        }

        if (!TryParse(origin, out Uri? uri))
        {
            return false; // "null" (sandboxed frames, file://) and garbage
        }

        if (IsSameOrigin(uri, request.Host))
        {
            return true;
        }

        return _allowed.Count == 0 ? IsLocal(uri.Host) : _allowed.Contains(Key(uri));
    }

    /// <summary>The canonical form of a configured origin (<c>scheme://host:port</c>), <c>*</c> as is,
    /// or null when it is not an origin.</summary>
    public static string? Normalize(string? origin)
    {
        if (origin == "*")
        {
            return "*";
        }

        return TryParse(origin?.TrimEnd('/'), out Uri? uri) ? Key(uri) : null;
    }

    private static bool TryParse(string? origin, [System.Diagnostics.CodeAnalysis.NotNullWhen(true)] out Uri? uri) =>
        Uri.TryCreate(origin, UriKind.Absolute, out uri)
        && uri.Scheme is "http" or "https"
        && uri.AbsolutePath == "/" && uri.Query.Length == 0 && uri.Fragment.Length == 0 && uri.UserInfo.Length == 0;

    private static string Key(Uri uri) => $"{uri.Scheme}://{uri.IdnHost.ToLowerInvariant()}:{uri.Port}";

    // Compares with the Host header rather than the request's scheme, so it holds behind a proxy
    // that terminates TLS (the page is https, the hop to us http, the Host the same).
    private static bool IsSameOrigin(Uri origin, HostString host) =>
        host.HasValue
        && string.Equals(origin.IdnHost.Trim('[', ']'), host.Host.Trim('[', ']'), StringComparison.OrdinalIgnoreCase)
        && origin.Port == (host.Port ?? (origin.IsDefaultPort ? origin.Port : -1));

    private static bool IsLocal(string host) =>
        host.Equals("localhost", StringComparison.OrdinalIgnoreCase)
        || (IPAddress.TryParse(host.Trim('[', ']'), out IPAddress? ip) && IPAddress.IsLoopback(ip));
}
