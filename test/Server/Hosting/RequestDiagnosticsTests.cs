using System.Collections.Concurrent;
using LettaSockets.Server.Hosting;
using LettaSockets.Simulator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http.Features;
using Microsoft.Extensions.Configuration;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LettaSockets.Server.Tests.Hosting;

/// <summary>
/// ASP.NET Core's per-request <c>Activity</c> and log scope, which a WebSocket would keep for its whole
/// life, are not made unless the operator asks for request diagnostics in the configuration.
/// </summary>
[TestClass]
public sealed class RequestDiagnosticsTests
{
    private static readonly TimeSpan s_timeout = TimeSpan.FromSeconds(15);

    /// <summary>Records, for each request, whether hosting gave it an <c>Activity</c>.</summary>
    private sealed class ActivityProbe : IStartupFilter
    {
        public ConcurrentQueue<(string Path, bool HasActivity)> Requests { get; } = new();

        public Action<IApplicationBuilder> Configure(Action<IApplicationBuilder> next) => app =>
        {
            app.Use((context, then) =>
            {
                Requests.Enqueue((context.Request.Path, context.Features.Get<IHttpActivityFeature>()?.Activity is not null));
                return then(context);
            });
            next(app);
        };
    }

    [TestMethod]
    [DataRow(null, null, false, DisplayName = "the tests' settings, Default at Warning: none")]
    [DataRow(LettaSocketsApp.RequestDiagnosticsCategory, "Warning", false, DisplayName = "the category at Warning: none")]
    [DataRow(LettaSocketsApp.RequestDiagnosticsCategory, "Information", true, DisplayName = "the category at Information: as ASP.NET Core does")]
    [DataRow("Microsoft.AspNetCore", "Debug", true, DisplayName = "a prefix at Debug: as ASP.NET Core does")]
    public async Task A_socket_keeps_a_request_activity_only_when_request_logs_are_configured(string? category, string? level, bool expected)
    {
        var probe = new ActivityProbe();
        await using TestGateway gateway = await TestGateway.StartAsync(
            category is null ? null : new Dictionary<string, string?> { [$"Logging:LogLevel:{category}"] = level },
            services: services => services.AddSingleton<IStartupFilter>(probe));

        await using (TestClient client = await gateway.ConnectAsync(DemoAgents.AdaId))
        {
            await client.SendMessageAsync("t", "count to 2");
            await client.ReadTurnAsync("t").WaitAsync(s_timeout);
        }

        (string path, bool hasActivity) = probe.Requests.Single(r => r.Path == $"/ws/{DemoAgents.AdaId}");
        Assert.AreEqual(expected, hasActivity, $"the upgrade request to {path}");
    }

    [TestMethod]
    [DataRow("{}", null)]
    [DataRow("""{ "Default": "Information" }""", LogLevel.Information)]
    [DataRow("""{ "Default": "Information", "Microsoft.AspNetCore": "Warning" }""", LogLevel.Warning)]
    [DataRow("""{ "Microsoft": "Error", "Microsoft.AspNetCore.Hosting": "Debug" }""", LogLevel.Debug)]
    [DataRow("""{ "Microsoft.AspNetCore": "Warning", "Microsoft.AspNetCore.Hosting.Diagnostics": "trace" }""", LogLevel.Trace)]
    [DataRow("""{ "Microsoft.AspNetCore.Hosting.DiagnosticsX": "Trace", "Default": "None" }""", LogLevel.None)]
    [DataRow("""{ "Microsoft.AspNetCore": "loud" }""", null)]
    public void The_configured_level_is_the_nearest_prefixes(string json, LogLevel? expected)
    {
        IConfiguration levels = new ConfigurationBuilder().AddJsonStream(new MemoryStream(System.Text.Encoding.UTF8.GetBytes(json))).Build();

        Assert.AreEqual(expected, LettaSocketsApp.ConfiguredLevel(levels, LettaSocketsApp.RequestDiagnosticsCategory));
    }
}
