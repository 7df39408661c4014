using LettaSockets.Simulator;

namespace LettaSockets.Browser.Tests.Support;

/// <summary>The shared <see cref="TestGateway"/> as the page tests start it: Letta's keep-alive pings every
/// 250 ms instead of after 20 s of silence, so a test sees "still working" within a second.</summary>
internal static class PageGateway
{
    public static Task<TestGateway> StartAsync(IDictionary<string, string?>? settings = null, bool outOfProcess = false) =>
        TestGateway.StartAsync(settings, Quick, outOfProcess: outOfProcess);

    private static void Quick(SimulatorOptions options) => options.KeepAliveInterval = TimeSpan.FromMilliseconds(250);
}
