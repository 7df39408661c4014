using System.Net;
using LettaSockets.Simulator.Hosting;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Hosting.Server;
using Microsoft.AspNetCore.Hosting.Server.Features;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Hosting;
using Microsoft.Extensions.Logging;

namespace LettaSockets.Simulator;

/// <summary>Hosts the simulator on its own Kestrel (real loopback HTTP).</summary>
public sealed class SimulatorHost : IAsyncDisposable
{
    private readonly WebApplication _app;
    private int _disposed;

    private SimulatorHost(WebApplication app, LettaSimulator simulator, Uri baseUrl)
    {
        _app = app;
        Simulator = simulator;
        BaseUrl = baseUrl;
    }

    /// <summary>e.g. <c>http://127.0.0.1:54321</c> (no trailing path).</summary>
    public Uri BaseUrl { get; }

    public LettaSimulator Simulator { get; }

    public static Task<SimulatorHost> StartAsync(SimulatorOptions options, CancellationToken cancellationToken = default) =>
        StartAsync(options, configure: null, cancellationToken);

    /// <summary>
    /// Starts the simulator; <paramref name="configure"/> can add logging or a <see cref="TimeProvider"/>
    /// before the host is built. No logging provider is registered by default.
    /// </summary>
    public static async Task<SimulatorHost> StartAsync(
        SimulatorOptions options,
        Action<WebApplicationBuilder>? configure,
        CancellationToken cancellationToken = default)
    {
        ArgumentNullException.ThrowIfNull(options);
        var errors = options.Validate();
        if (errors.Count > 0)
        {
            throw new ArgumentException("Invalid simulator options: " + string.Join(" ", errors), nameof(options));
        }

        var builder = WebApplication.CreateSlimBuilder(new WebApplicationOptions
        {
            Args = [],
            ApplicationName = typeof(SimulatorHost).Assembly.GetName().Name,
            ContentRootPath = AppContext.BaseDirectory,
        });
        builder.Logging.ClearProviders();
        builder.Services.AddSingleton<IHostLifetime, EmbeddedHostLifetime>();
        builder.Services.Configure<HostOptions>(host => host.ShutdownTimeout = TimeSpan.FromSeconds(5));
        builder.WebHost.ConfigureKestrel(kestrel => kestrel.AddServerHeader = false);
        builder.WebHost.UseUrls(ListenUrl(options.Host, options.Port));
        builder.Services.AddLettaSimulator(options);
        configure?.Invoke(builder);

        var app = builder.Build();
        app.MapLettaSimulator();
        await app.StartAsync(cancellationToken).ConfigureAwait(false);

        var address = app.Services.GetRequiredService<IServer>().Features.Get<IServerAddressesFeature>()?.Addresses.FirstOrDefault()
            ?? throw new InvalidOperationException("Kestrel reported no address.");
        return new SimulatorHost(app, app.Services.GetRequiredService<LettaSimulator>(), new Uri(address));
    }

    public async ValueTask DisposeAsync()
    {
        if (Interlocked.Exchange(ref _disposed, 1) != 0)
        {
            return;
        }

        // Runs and their streams first, so Kestrel has no open stream left to wait for.
        await Simulator.ShutdownAsync().ConfigureAwait(false);
        await _app.StopAsync().ConfigureAwait(false);
        await _app.DisposeAsync().ConfigureAwait(false);
    }

    private static string ListenUrl(string host, int port)
    {
        var literal = IPAddress.TryParse(host, out var ip) && ip.AddressFamily == System.Net.Sockets.AddressFamily.InterNetworkV6
            ? $"[{host}]"
            : host;
        return $"http://{literal}:{port}";
    }
}
