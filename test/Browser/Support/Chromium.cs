using Microsoft.Playwright;

namespace LettaSockets.Browser.Tests.Support;

/// <summary>
/// One Debian Chromium (never a downloaded browser) and one gateway, shared by every test and
/// started on first use. Without <c>/usr/bin/chromium</c> every browser test reports as skipped.
/// </summary>
public static class Chromium
{
    /// <summary>Overridable so the skip path can be checked: <c>LETTASOCKETS_CHROMIUM=/nope dotnet test</c>.</summary>
    public static readonly string ExecutablePath =
        Environment.GetEnvironmentVariable("LETTASOCKETS_CHROMIUM") is { Length: > 0 } path ? path : "/usr/bin/chromium";

    private static readonly SemaphoreSlim s_gate = new(1, 1);
    private static IPlaywright? s_playwright;
    private static IBrowser? s_browser;
    private static TestGateway? s_gateway;

    /// <summary>The shared browser; marks the calling test inconclusive when Chromium is missing.</summary>
    public static async Task<IBrowser> GetBrowserAsync()
    {
        if (!File.Exists(ExecutablePath))
        {
            Assert.Inconclusive($"Chromium is not installed at {ExecutablePath} (apt-get install chromium): browser tests skipped");
        }

        await s_gate.WaitAsync(TimeSpan.FromSeconds(60));
        try
        {
            if (s_browser is { IsConnected: true })
            {
                return s_browser;
            }

            s_playwright ??= await Playwright.CreateAsync().WaitAsync(TimeSpan.FromSeconds(30));
            s_browser = await s_playwright.Chromium.LaunchAsync(new()
            {
                ExecutablePath = ExecutablePath,
                Headless = true,
                Timeout = 30_000,
                Args = ["--no-sandbox", "--disable-gpu", "--disable-background-networking", "--disable-component-update", "--disable-sync", "--no-first-run"],
            });
            return s_browser;
        }
        finally
        {
            s_gate.Release();
        }
    }

    /// <summary>The gateway most tests share (each test adds its own agents, so they do not interfere).</summary>
    public static async Task<TestGateway> GetGatewayAsync()
    {
        await s_gate.WaitAsync(TimeSpan.FromSeconds(60));
        try
        {
            return s_gateway ??= await PageGateway.StartAsync();
        }
        finally
        {
            s_gate.Release();
        }
    }

    public static async Task DisposeAsync()
    {
        if (s_browser is not null)
        {
            await s_browser.CloseAsync().WaitAsync(TimeSpan.FromSeconds(15));
        }

        s_playwright?.Dispose();
        if (s_gateway is not null)
        {
            await s_gateway.DisposeAsync().AsTask().WaitAsync(TimeSpan.FromSeconds(30));
        }
    }
}
