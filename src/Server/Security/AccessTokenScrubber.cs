using Microsoft.AspNetCore.Http.Extensions;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.AspNetCore.WebUtilities;
using Microsoft.Extensions.Primitives;

namespace LettaSockets.Server.Security;

/// <summary>
/// Takes <c>access_token</c> out of every request's query string as the request's context is
/// created — before the hosting layer logs "Request starting … ?query" or tags its activity — and
/// keeps it in an <see cref="AccessTokenFeature"/> for <see cref="GatewayGuard"/>. What any log,
/// trace or later middleware sees is <c>access_token=redacted</c>.
/// </summary>
internal sealed class AccessTokenScrubber(IHttpContextFactory inner) : IHttpContextFactory
{
    public const string QueryName = "access_token";
    private const string Redacted = "redacted";

    public HttpContext Create(IFeatureCollection featureCollection)
    {
        // Kestrel reuses a connection's feature collection: always overwrite the previous request's token.
        featureCollection.Set<AccessTokenFeature>(null);
        // Any query is parsed, not searched for the name: "access%5Ftoken" is the same parameter.
        if (featureCollection.Get<IHttpRequestFeature>() is { } request && request.QueryString.Length > 1)
        {
            Scrub(featureCollection, request);
        }

        return inner.Create(featureCollection);
    }

    public void Dispose(HttpContext httpContext) => inner.Dispose(httpContext);

    private static void Scrub(IFeatureCollection features, IHttpRequestFeature request)
    {
        Dictionary<string, StringValues> query = QueryHelpers.ParseQuery(request.QueryString);
        if (!query.TryGetValue(QueryName, out StringValues tokens))
        {
            return;
        }

        if (tokens.Count > 0 && !string.IsNullOrEmpty(tokens[0]))
        {
            features.Set(new AccessTokenFeature(tokens[0]!));
        }

        query[QueryName] = Redacted;
        var builder = new QueryBuilder(query.SelectMany(kv => kv.Value.Select(v => new KeyValuePair<string, string>(kv.Key, v ?? ""))));
        request.QueryString = builder.ToQueryString().Value ?? "";
        int question = request.RawTarget.IndexOf('?', StringComparison.Ordinal);
        if (question >= 0)
        {
            request.RawTarget = request.RawTarget[..question] + request.QueryString;
        }
    }
}
