namespace LettaSockets.Testing;

/// <summary>
/// The real Letta Code App Server on the tests' fake model, started together and stopped together; the
/// calling test (or class) is inconclusive, with the reason, where node or the package is missing.
/// </summary>
public sealed class AppServerStack : IAsyncDisposable
{
    private AppServerStack(FakeLlm llm, LettaCodeServer server)
    {
        Llm = llm;
        Server = server;
    }

    public FakeLlm Llm { get; }

    public LettaCodeServer Server { get; }

    public static async Task<AppServerStack> StartAsync()
    {
        if (LettaCodeServer.SkipReason is { } why)
        {
            Assert.Inconclusive(why);
        }

        FakeLlm llm = await FakeLlm.StartAsync();
        try
        {
            return new AppServerStack(llm, await LettaCodeServer.StartAsync(llm));
        }
        catch
        {
            await llm.DisposeAsync();
            throw;
        }
    }

    /// <summary>Gateway settings that point it at this App Server (with <paramref name="token"/> instead of the
    /// server's own, to test a wrong one), reconnecting quickly.</summary>
    public Dictionary<string, string?> GatewaySettings(string? token = null) => new()
    {
        ["Letta:BaseUrl"] = Server.WebSocketUrl.ToString(),
        ["Letta:ApiKey"] = token ?? Server.Token,
        ["AppServer:ReconnectBaseDelay"] = "00:00:00.100",
        ["AppServer:ReconnectMaxDelay"] = "00:00:00.500",
    };

    public async ValueTask DisposeAsync()
    {
        await Server.DisposeAsync();
        await Llm.DisposeAsync();
    }
}
