using System.Text.Json;
using Microsoft.AspNetCore.Diagnostics.HealthChecks;
using Microsoft.Extensions.Diagnostics.HealthChecks;

namespace LettaSockets.Server.Health;

/// <summary><c>GET /healthz</c> (the process answers) and <c>GET /readyz</c> (Letta reachable, breaker
/// closed, not draining). Neither needs a client key: orchestrators probe them.</summary>
public static class HealthEndpoints
{
    private const string ReadyTag = "ready";

    public static IServiceCollection AddGatewayHealth(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<HealthOptions>().Bind(configuration.GetSection(HealthOptions.Section)).ValidateOnStart();
        services.AddSingleton<Microsoft.Extensions.Options.IValidateOptions<HealthOptions>, HealthOptionsValidator>();
        services.AddSingleton<LettaReadinessCheck>(); // one instance, so its cached probe is shared
        services.AddHealthChecks().AddCheck<LettaReadinessCheck>("letta", tags: [ReadyTag]);
        return services;
    }

    public static IEndpointRouteBuilder MapGatewayHealth(this IEndpointRouteBuilder endpoints)
    {
        endpoints.MapHealthChecks("/healthz", new HealthCheckOptions { Predicate = _ => false, ResponseWriter = WriteAsync });
        endpoints.MapHealthChecks("/readyz", new HealthCheckOptions { Predicate = c => c.Tags.Contains(ReadyTag), ResponseWriter = WriteAsync });
        return endpoints;
    }

    /// <summary><c>{"status":"Healthy|Unhealthy","checks":{"letta":"why"}}</c>: says why, never a secret.</summary>
    private static async Task WriteAsync(HttpContext context, HealthReport report)
    {
        context.Response.ContentType = "application/json; charset=utf-8";
        await using var json = new Utf8JsonWriter(context.Response.Body);
        json.WriteStartObject();
        json.WriteString("status"u8, report.Status.ToString());
        json.WriteStartObject("checks"u8);
        foreach ((string name, HealthReportEntry entry) in report.Entries)
        {
            json.WriteString(name, entry.Description ?? entry.Status.ToString());
        }

        json.WriteEndObject();
        json.WriteEndObject();
        await json.FlushAsync(context.RequestAborted).ConfigureAwait(false);
    }
}
