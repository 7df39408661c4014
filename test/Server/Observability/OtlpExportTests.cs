using System.Text;
using System.Threading.Channels;
using LettaSockets.Server.Observability;
using LettaSockets.Simulator;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.DependencyInjection;

namespace LettaSockets.Server.Tests.Observability;

/// <summary>With <c>OTEL_EXPORTER_OTLP_ENDPOINT</c> set, the meter is exported over OTLP (here to a
/// fake collector on loopback speaking http/protobuf).</summary>
[TestClass]
public sealed class OtlpExportTests
{
    [TestMethod]
    public async Task The_meter_is_exported_to_the_configured_collector()
    {
        var posts = Channel.CreateUnbounded<(string Path, byte[] Body)>();
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        await using WebApplication collector = builder.Build();
        collector.MapPost("/{**path}", async (HttpContext context) =>
        {
            using var body = new MemoryStream();
            await context.Request.Body.CopyToAsync(body);
            posts.Writer.TryWrite((context.Request.Path.Value!, body.ToArray()));
            return Results.Ok();
        });
        await collector.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));

        await using TestGateway gateway = await TestGateway.StartAsync(new Dictionary<string, string?>
        {
            ["OTEL_EXPORTER_OTLP_ENDPOINT"] = collector.Urls.First(),
            ["OTEL_EXPORTER_OTLP_PROTOCOL"] = "http/protobuf",
            ["OTEL_METRIC_EXPORT_INTERVAL"] = "200",
        });
        Assert.IsTrue(gateway.Services.GetRequiredService<OtlpExport>().IsExporting);
        await using (TestClient client = await gateway.ConnectAsync(DemoAgents.AdaId))
        {
            await client.SendMessageAsync("o", "count to 3");
            await client.ReadTurnAsync("o");
        }

        using var timeout = new CancellationTokenSource(TestClient.DefaultTimeout);
        while (true)
        {
            (string path, byte[] body) = await posts.Reader.ReadAsync(timeout.Token);
            if (path == "/v1/traces")
            {
                continue; // traces go beside the metrics (TraceTests)
            }

            Assert.AreEqual("/v1/metrics", path);
            string text = Encoding.UTF8.GetString(body); // protobuf keeps names as plain UTF-8
            StringAssert.Contains(text, "service.name", "every export names its service");
            if (text.Contains("end_turn", StringComparison.Ordinal)) // the reason tag of lettasockets.turns
            {
                StringAssert.Contains(text, "Finished turns by terminal frame", "the turns counter (its description)");
                StringAssert.Contains(text, "LettaSockets", "the meter's name is the scope");
                StringAssert.Contains(text, "lettasockets.turn.time_to_first_token");
                StringAssert.Contains(text, "\u000Clettasockets", "the service is named after the gateway");
                break;
            }
        }
    }

    [TestMethod]
    public async Task Nothing_is_exported_without_an_endpoint()
    {
        await using TestGateway gateway = await TestGateway.StartAsync(new Dictionary<string, string?> { ["OTEL_EXPORTER_OTLP_ENDPOINT"] = "" });

        Assert.IsFalse(gateway.Services.GetRequiredService<OtlpExport>().IsExporting);
    }
}
