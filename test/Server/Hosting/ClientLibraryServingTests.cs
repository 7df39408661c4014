namespace LettaSockets.Server.Tests.Hosting;

/// <summary>The gateway serves its JavaScript client library, with types a browser and an editor understand.</summary>
[TestClass]
public sealed class ClientLibraryServingTests
{
    [TestMethod]
    public async Task The_client_library_and_its_type_declarations_are_served_as_JavaScript_and_TypeScript()
    {
        await using TestGateway gateway = await TestGateway.StartAsync();
        using var http = new HttpClient { BaseAddress = gateway.BaseUri, Timeout = TestClient.DefaultTimeout };

        using HttpResponseMessage module = await http.GetAsync("/lib/letta-sockets.js");
        using HttpResponseMessage types = await http.GetAsync("/lib/letta-sockets.d.ts");

        Assert.IsTrue(module.IsSuccessStatusCode, module.StatusCode.ToString());
        StringAssert.Contains(module.Content.Headers.ContentType?.MediaType, "javascript");
        StringAssert.Contains(await module.Content.ReadAsStringAsync(), "export class LettaSocketsClient");
        Assert.IsTrue(types.IsSuccessStatusCode, types.StatusCode.ToString());
        Assert.AreEqual("application/typescript", types.Content.Headers.ContentType?.MediaType, "not video/mp2t, the default for .ts");
    }
}
