using System.Net.Http.Headers;
using System.Text;
using Microsoft.Extensions.DependencyInjection;

namespace LettaSockets.Simulator.Tests.TestSupport;

/// <summary>A simulator on a loopback port plus an HttpClient for it; one per test.</summary>
internal sealed class SimTest : IAsyncDisposable
{
    public static readonly TimeSpan Timeout = TimeSpan.FromSeconds(10);

    public const string AgentId = "agent-11111111-2222-4333-8444-555555555555";

    private SimTest(SimulatorHost host)
    {
        Host = host;
        Client = new HttpClient { BaseAddress = host.BaseUrl, Timeout = System.Threading.Timeout.InfiniteTimeSpan };
    }

    public SimulatorHost Host { get; }

    public LettaSimulator Sim => Host.Simulator;

    public HttpClient Client { get; }

    /// <summary>Instant scripts, fast cancel polling; tests opt into real pacing.</summary>
    public static async Task<SimTest> StartAsync(Action<SimulatorOptions>? configure = null, TimeProvider? time = null)
    {
        var options = new SimulatorOptions
        {
            Port = 0,
            PaceMultiplier = 0,
            CancelPollInterval = TimeSpan.FromMilliseconds(20),
        };
        configure?.Invoke(options);
        var host = await SimulatorHost.StartAsync(options, builder =>
        {
            if (time is not null)
            {
                builder.Services.AddSingleton(time);
            }
        }).WaitAsync(Timeout);
        return new SimTest(host);
    }

    public void AddAgent(Func<SimRequest, AgentScript> behaviour, string id = AgentId) =>
        Sim.Agents.Add(new SimAgent(id, "Test agent", behaviour));

    public static string Body(string text, bool tokens = true, bool? pings = null, bool background = false, bool streaming = true)
    {
        var json = new StringBuilder("{\"messages\":[{\"role\":\"user\",\"content\":")
            .Append(System.Text.Json.JsonSerializer.Serialize(text))
            .Append(",\"otid\":\"0b7f6c1e-2a43-4d5e-9f60-7a8b9c0d1e2f\"}]")
            .Append(",\"streaming\":").Append(streaming ? "true" : "false");
        if (tokens)
        {
            json.Append(",\"stream_tokens\":true");
        }

        if (pings is { } include)
        {
            json.Append(",\"include_pings\":").Append(include ? "true" : "false");
        }

        if (background)
        {
            json.Append(",\"background\":true");
        }

        return json.Append('}').ToString();
    }

    public Task<HttpResponseMessage> PostAsync(string path, string? json, Action<HttpRequestHeaders>? headers = null)
    {
        var request = new HttpRequestMessage(HttpMethod.Post, path);
        if (json is not null)
        {
            request.Content = new StringContent(json, Encoding.UTF8, "application/json");
        }

        headers?.Invoke(request.Headers);
        return Client.SendAsync(request, HttpCompletionOption.ResponseHeadersRead).WaitAsync(Timeout);
    }

    /// <summary>Sends and opens the SSE body; asserts 200 and the event-stream content type.</summary>
    public async Task<SseStream> StreamAsync(string json, string agentId = AgentId, string route = "messages")
    {
        var response = await PostAsync($"/v1/agents/{agentId}/{route}", json);
        if (!response.IsSuccessStatusCode)
        {
            var text = await response.Content.ReadAsStringAsync().WaitAsync(Timeout);
            Assert.Fail($"Expected 200, got {(int)response.StatusCode}: {text}");
        }

        Assert.AreEqual("text/event-stream; charset=utf-8", response.Content.Headers.ContentType?.ToString());
        return new SseStream(response, await response.Content.ReadAsStreamAsync().WaitAsync(Timeout));
    }

    public async Task<List<SseEvent>> StreamToEndAsync(string json, string agentId = AgentId, string route = "messages")
    {
        await using var stream = await StreamAsync(json, agentId, route);
        return await stream.ReadToEndAsync();
    }

    public async Task<string> GetStringAsync(string path) => await Client.GetStringAsync(path).WaitAsync(Timeout);

    public async ValueTask DisposeAsync()
    {
        Client.Dispose();
        await Host.DisposeAsync().AsTask().WaitAsync(Timeout);
    }
}
