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
            WebRootPath = FindWebRoot(),
        });
        if (string.IsNullOrEmpty(builder.Configuration["urls"]))
        {
            builder.WebHost.UseUrls(DefaultUrl);
        }

        builder.Services.AddLettaSockets(builder.Configuration);
        configure?.Invoke(builder);
        WebApplication app = builder.Build();
        app.MapLettaSockets();
        return app;
    }

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
