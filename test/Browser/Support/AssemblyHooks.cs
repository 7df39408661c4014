namespace LettaSockets.Browser.Tests.Support;

[TestClass]
public sealed class AssemblyHooks
{
    [AssemblyCleanup]
    public static Task CloseSharedBrowserAsync() => Chromium.DisposeAsync();
}
