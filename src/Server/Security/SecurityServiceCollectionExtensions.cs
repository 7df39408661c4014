using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection.Extensions;
using Microsoft.Extensions.Options;

namespace LettaSockets.Server.Security;

/// <summary>Registers client keys, the Origin allow-list, connection and message limits.</summary>
public static class SecurityServiceCollectionExtensions
{
    public static IServiceCollection AddGatewaySecurity(this IServiceCollection services, IConfiguration configuration)
    {
        services.AddOptions<AuthOptions>().Bind(configuration.GetSection(AuthOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<AuthOptions>, AuthOptionsValidator>();
        services.AddOptions<LimitOptions>().Bind(configuration.GetSection(LimitOptions.Section)).ValidateOnStart();
        services.AddSingleton<IValidateOptions<LimitOptions>, LimitOptionsValidator>();

        services.AddSingleton<ClientKeyRing>();
        services.AddSingleton<OriginPolicy>();
        services.AddSingleton<GatewayGuard>();
        services.AddSingleton<ConnectionLimiter>();
        services.AddSingleton<MessageRateLimiter>();
        services.AddHostedService<OpenGatewayWarning>();
        services.TryAddEnumerable(ServiceDescriptor.Singleton<Microsoft.AspNetCore.Routing.MatcherPolicy, GatewayAccessPolicy>());

        // Every request's context is created through the scrubber, so no log ever sees ?access_token.
        services.RemoveAll<IHttpContextFactory>();
        services.AddSingleton<IHttpContextFactory>(sp => new AccessTokenScrubber(new DefaultHttpContextFactory(sp)));
        return services;
    }
}
