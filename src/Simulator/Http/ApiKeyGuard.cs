using System.Security.Cryptography;
using System.Text;
using Microsoft.AspNetCore.Http;

namespace LettaSockets.Simulator.Http;

/// <summary>Letta's auth and headers password mode: <c>Authorization: Bearer &lt;key&gt;</c> or <c>X-BARE-PASSWORD: password &lt;key&gt;</c>, else 401.</summary>
internal static class ApiKeyGuard
{
    public static RequestDelegate Protect(RequestDelegate next, SimulatorOptions options) => context =>
        options.RequiredApiKey is not { Length: > 0 } key || IsAuthorized(context.Request.Headers, key)
            ? next(context)
            : HttpWrite.ErrorAsync(context, ApiError.Unauthorized());

    private static bool IsAuthorized(IHeaderDictionary headers, string key) =>
        Matches(headers.Authorization.ToString(), "Bearer " + key)
        || Matches(headers["X-BARE-PASSWORD"].ToString(), "password " + key);

    private static bool Matches(string presented, string expected) =>
        CryptographicOperations.FixedTimeEquals(Encoding.UTF8.GetBytes(presented), Encoding.UTF8.GetBytes(expected));
}
