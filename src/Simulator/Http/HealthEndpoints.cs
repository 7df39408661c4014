using LettaSockets.Simulator.Wire;
using Microsoft.AspNetCore.Http;

namespace LettaSockets.Simulator.Http;

/// <summary>
/// <c>GET /v1/health/</c> and <c>/v1/ready/</c>: Letta's <c>{"version": …, "status": "ok"}</c>, never behind the
/// password (Letta's password middleware skips them). The SDK's <c>client.health()</c> asks for the trailing-slash form.
/// </summary>
internal static class HealthEndpoints
{
    /// <summary>The Letta release whose wire format the simulator follows.</summary>
    public const string LettaVersion = "0.16.8";

    private static readonly string s_body = JsonText.Object(w =>
    {
        w.WriteString("version", LettaVersion);
        w.WriteString("status", "ok");
    });

    public static Task CheckAsync(HttpContext context) => HttpWrite.JsonAsync(context, StatusCodes.Status200OK, s_body);
}
