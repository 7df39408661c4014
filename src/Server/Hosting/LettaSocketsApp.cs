namespace LettaSockets.Server.Hosting;

/// <summary>Builds the gateway application; <c>Program</c> and the tests share it.</summary>
public static class LettaSocketsApp
{
    /// <summary>The seed's clients expect the server here.</summary>
    public const string DefaultUrl = "http://localhost:8000";

    public static WebApplication Build(string[] args, Action<WebApplicationBuilder>? configure = null)
    {
        var builder = WebApplication.CreateBuilder(new WebApplicationOptions
        {
            Args = args,
            ContentRootPath = FindContentRoot(args, Directory.GetCurrentDirectory(), AppContext.BaseDirectory),
            WebRootPath = FindWebRoot(),
        });
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        QuietRequestDiagnostics(builder);

        builder.Services.AddLettaSockets(builder.Configuration);
        configure?.Invoke(builder);
        WebApplication app = builder.Build();
        app.MapLettaSockets();
        return app;
    }

    /// <summary>ASP.NET Core's request diagnostics: their logger's category.</summary>
    internal const string RequestDiagnosticsCategory = "Microsoft.AspNetCore.Hosting.Diagnostics";

    /// <summary>
    /// ASP.NET Core gives every request an <c>Activity</c> and a log scope whenever the logger of its request
    /// diagnostics is enabled at any level, and a WebSocket keeps both for its whole life: about 0.6 KB per
    /// idle connection (docs/BENCHMARKS.md, "Memory per idle connection"). Their readers are the request
    /// logs, which are Information, and exported traces, which start their own <c>Activity</c> (OpenTelemetry
    /// listens to the source). So when the configured level that applies to the category (its own
    /// <c>Logging:LogLevel</c> key, else the nearest prefix's, else <c>Default</c>) would log no request —
    /// Warning or above, as the shipped <c>"Microsoft.AspNetCore": "Warning"</c> does — the category is off
    /// altogether. Configure it, or a prefix, at Information or below and the request logs are back.
    /// </summary>
    private static void QuietRequestDiagnostics(WebApplicationBuilder builder)
    {
        if (ConfiguredLevel(builder.Configuration.GetSection("Logging:LogLevel"), RequestDiagnosticsCategory) >= LogLevel.Warning)
        {
            builder.Logging.AddFilter(RequestDiagnosticsCategory, LogLevel.None);
        }
    }

    /// <summary>The level a <c>Logging:LogLevel</c> section gives <paramref name="category"/>: its own key, the
    /// longest configured prefix (at a dot), or <c>Default</c>; null when none is configured or readable.</summary>
    internal static LogLevel? ConfiguredLevel(IConfiguration levels, string category)
    {
        string? value = null;
        for (string? name = category; value is null && name is not null; name = Prefix(name))
        {
            value = levels[name];
        }

        value ??= levels["Default"];
        return Enum.TryParse(value, ignoreCase: true, out LogLevel level) ? level : null;

        static string? Prefix(string name) => name.LastIndexOf('.') is > 0 and int dot ? name[..dot] : null;
    }

    /// <summary>
    /// Where <c>appsettings.json</c> is read from, when ASP.NET Core's default (the working directory)
    /// would miss it: a published gateway started from another folder, as a service manager without a
    /// working directory does, would otherwise run on built-in defaults without a word. So: a content
    /// root given in the command line or environment (<c>contentRoot</c>) wins; else the working
    /// directory if it holds an <c>appsettings.json</c>; else the executable's folder if that does;
    /// else the default. Null means the default.
    /// </summary>
    internal static string? FindContentRoot(string[] args, string workingDirectory, string baseDirectory)
    {
        IConfiguration given = new ConfigurationBuilder()
            .AddEnvironmentVariables("DOTNET_")
            .AddEnvironmentVariables("ASPNETCORE_")
            .AddCommandLine(args)
            .Build();
        if (!string.IsNullOrEmpty(given[HostDefaults.ContentRootKey])
            || File.Exists(Path.Combine(workingDirectory, SettingsFile))
            || !File.Exists(Path.Combine(baseDirectory, SettingsFile)))
        {
            return null;
        }

        return baseDirectory;
    }

    private const string SettingsFile = "appsettings.json";

    /// <summary>The top-level <c>wwwroot</c>: the source folder when run from a checkout (so the page
    /// can be edited live), else the copy shipped next to the binaries.</summary>
    private static string FindWebRoot()
    {
        for (DirectoryInfo? dir = new(Directory.GetCurrentDirectory()); dir is not null; dir = dir.Parent)
        {
            if (File.Exists(Path.Combine(dir.FullName, "LettaSockets.sln")) && Directory.Exists(Path.Combine(dir.FullName, "wwwroot")))
            {
                return Path.Combine(dir.FullName, "wwwroot");
            }
        }

        return Path.Combine(AppContext.BaseDirectory, "wwwroot");
    }
}
