using System.Collections.Concurrent;
using System.Text;
using System.Text.Json;
using System.Text.Json.Nodes;
using System.Text.RegularExpressions;
using Microsoft.AspNetCore.Builder;
using Microsoft.AspNetCore.Hosting;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace LettaSockets.Testing;

/// <summary>
/// A deterministic OpenAI-compatible model for the real App Server to call (the App Server runs its agents against any OpenAI-compatible base URL).
/// What it answers is chosen by a command in the user's text (after the App Server's
/// <c>&lt;system-reminder&gt;</c> parts are stripped):
/// <list type="bullet">
/// <item><c>[say A|B|C]</c> — streams the deltas A, B, C exactly (one chunk each);</item>
/// <item><c>[slow N]</c> — N words, 100 ms apart (room to cancel);</item>
/// <item><c>[stamp N R]</c> — N deltas at R a second, each <c>|t=TICKS|</c>: the <see cref="System.Diagnostics.Stopwatch"/>
/// timestamp when it was written, so a reader on this machine measures each delta's latency (the bench);</item>
/// <item><c>[reason]</c> — reasoning deltas, then an answer;</item>
/// <item><c>[bash CMD]</c> — a <c>Bash</c> tool call; after its result, an answer quoting it;</item>
/// <item><c>[error]</c> — HTTP 500; <c>[drop]</c> — two chunks, then the connection is cut;</item>
/// <item>anything else — a short fixed answer.</item>
/// </list>
/// Every request is recorded, with whether the App Server read the stream to its end.
/// </summary>
public sealed partial class FakeLlm : IAsyncDisposable
{
    public const string Model = "fake-model";
    public const string DefaultAnswer = "Hello from the fake model.";

    private readonly WebApplication _app;

    private FakeLlm(WebApplication app, Uri baseUrl)
    {
        _app = app;
        BaseUrl = baseUrl;
    }

    /// <summary>The base URL to register with <c>letta connect openai-compatible</c> (ends in <c>/v1</c>).</summary>
    public Uri BaseUrl { get; }

    public ConcurrentQueue<LlmRequest> Requests { get; } = new();

    public static async Task<FakeLlm> StartAsync()
    {
        WebApplicationBuilder builder = WebApplication.CreateSlimBuilder();
        builder.WebHost.UseUrls("http://127.0.0.1:0");
        builder.Logging.ClearProviders();
        WebApplication app = builder.Build();
        FakeLlm? self = null;
        app.MapGet("/v1/models", () => Results.Json(new { @object = "list", data = new[] { new { id = Model, @object = "model", created = 1700000000, owned_by = "fake" } } }));
        app.MapPost("/v1/chat/completions", (HttpContext context) => self!.CompleteAsync(context));
        await app.StartAsync().WaitAsync(TimeSpan.FromSeconds(30));
        self = new FakeLlm(app, new Uri(app.Urls.First().TrimEnd('/') + "/v1"));
        return self;
    }

    public async ValueTask DisposeAsync()
    {
        using var stop = new CancellationTokenSource(TimeSpan.FromSeconds(10));
        await _app.StopAsync(stop.Token);
        await _app.DisposeAsync();
    }

    /// <summary>The user's own text of the last user message (system reminders stripped).</summary>
    internal static string LastUserText(JsonArray messages)
    {
        for (int i = messages.Count - 1; i >= 0; i--)
        {
            if (messages[i] is JsonObject { } message && (string?)message["role"] == "user")
            {
                string text = message["content"] switch
                {
                    JsonValue value => (string?)value ?? string.Empty,
                    JsonArray parts => string.Concat(parts.Select(p => (string?)p?["text"] ?? string.Empty)),
                    _ => string.Empty,
                };
                return Reminder().Replace(text, string.Empty).Trim();
            }
        }

        return string.Empty;
    }

    private async Task CompleteAsync(HttpContext context)
    {
        JsonObject body = (await JsonNode.ParseAsync(context.Request.Body))!.AsObject();
        JsonArray messages = body["messages"]!.AsArray();
        string user = LastUserText(messages);
        string? toolResult = messages[^1] is JsonObject last && (string?)last["role"] == "tool" ? (string?)last["content"] : null;
        var request = new LlmRequest(user, toolResult, messages.Count, body["tools"] is JsonArray tools ? tools.Count : 0);
        Requests.Enqueue(request);

        if (toolResult is null && Command().Match(user) is { Success: true, Groups: var g } && g[1].Value == "error")
        {
            context.Response.StatusCode = 500;
            await context.Response.WriteAsJsonAsync(new { error = new { message = "scripted failure", type = "server_error", code = "fake_error" } });
            request.Outcome = "failed";
            return;
        }

        context.Response.ContentType = "text/event-stream";
        var stream = new ChunkWriter(context.Response);
        try
        {
            await stream.DeltaAsync(new JsonObject { ["role"] = "assistant", ["content"] = string.Empty });
            string finish = await ScriptAsync(stream, user, toolResult, request, context.RequestAborted);
            if (finish == "drop")
            {
                context.Abort();
                request.Outcome = "dropped";
                return;
            }

            await stream.FinishAsync(finish, prompt: 20 + messages.Count, completion: stream.Deltas);
            request.Outcome = "completed";
        }
        catch (Exception e) when (e is OperationCanceledException or IOException)
        {
            request.Outcome = "client closed";
        }
    }

    private static async Task<string> ScriptAsync(ChunkWriter stream, string user, string? toolResult, LlmRequest request, CancellationToken aborted)
    {
        Match command = Command().Match(user);
        string verb = command.Success ? command.Groups[1].Value : string.Empty;
        string argument = command.Success ? command.Groups[2].Value : string.Empty;
        if (toolResult is not null)
        {
            await stream.DeltaAsync(new JsonObject { ["content"] = "Tool said: " + toolResult });
            return "stop";
        }

        switch (verb)
        {
            case "say":
                foreach (string piece in argument.Split('|'))
                {
                    await stream.DeltaAsync(new JsonObject { ["content"] = Unescape(piece) });
                }

                return "stop";
            case "slow":
                int words = int.Parse(argument, System.Globalization.CultureInfo.InvariantCulture);
                for (int i = 1; i <= words; i++)
                {
                    await stream.DeltaAsync(new JsonObject { ["content"] = $" w{i}" });
                    request.Streamed = i;
                    await Task.Delay(100, aborted);
                }

                return "stop";
            case "stamp":
                string[] numbers = argument.Split(' ', StringSplitOptions.RemoveEmptyEntries);
                int count = int.Parse(numbers[0], System.Globalization.CultureInfo.InvariantCulture);
                double perSecond = double.Parse(numbers[1], System.Globalization.CultureInfo.InvariantCulture);
                long start = System.Diagnostics.Stopwatch.GetTimestamp();
                for (int i = 0; i < count; i++)
                {
                    TimeSpan due = TimeSpan.FromSeconds(i / perSecond) - System.Diagnostics.Stopwatch.GetElapsedTime(start);
                    if (due > TimeSpan.Zero)
                    {
                        await Task.Delay(due, aborted);
                    }

                    await stream.DeltaAsync(new JsonObject { ["content"] = $"|t={System.Diagnostics.Stopwatch.GetTimestamp()}|" });
                }

                return "stop";
            case "reason":
                foreach (string piece in new[] { "Let", " me", " think." })
                {
                    await stream.DeltaAsync(new JsonObject { ["reasoning_content"] = piece });
                }

                await stream.DeltaAsync(new JsonObject { ["content"] = "Thought it through." });
                return "stop";
            case "bash":
                string arguments = new JsonObject { ["command"] = argument, ["description"] = "Scripted by the fake model" }.ToJsonString();
                string callId = $"call_fake_{Guid.NewGuid():N}"[..20];
                await stream.DeltaAsync(new JsonObject { ["tool_calls"] = new JsonArray(new JsonObject { ["index"] = 0, ["id"] = callId, ["type"] = "function", ["function"] = new JsonObject { ["name"] = "Bash", ["arguments"] = string.Empty } }) });
                foreach (string part in new[] { arguments[..(arguments.Length / 2)], arguments[(arguments.Length / 2)..] })
                {
                    await stream.DeltaAsync(new JsonObject { ["tool_calls"] = new JsonArray(new JsonObject { ["index"] = 0, ["function"] = new JsonObject { ["arguments"] = part } }) });
                }

                return "tool_calls";
            case "drop":
                await stream.DeltaAsync(new JsonObject { ["content"] = "Partial" });
                await stream.DeltaAsync(new JsonObject { ["content"] = " answer" });
                return "drop";
            default:
                foreach (string word in DefaultAnswer.Split(' ').Select((w, i) => i == 0 ? w : " " + w))
                {
                    await stream.DeltaAsync(new JsonObject { ["content"] = word });
                }

                return "stop";
        }
    }

    private static string Unescape(string piece) => piece.Replace("\\n", "\n", StringComparison.Ordinal).Replace("\\p", "|", StringComparison.Ordinal);

    [GeneratedRegex(@"<system-reminder>.*?</system-reminder>", RegexOptions.Singleline)]
    private static partial Regex Reminder();

    [GeneratedRegex(@"\[(say|slow|stamp|reason|bash|error|drop)\s*(.*?)\]\s*$", RegexOptions.Singleline)]
    private static partial Regex Command();

    /// <summary>Writes OpenAI <c>chat.completion.chunk</c> events.</summary>
    private sealed class ChunkWriter(HttpResponse response)
    {
        public int Deltas { get; private set; }

        public async Task DeltaAsync(JsonObject delta)
        {
            Deltas++;
            await WriteAsync(new JsonObject
            {
                ["id"] = "chatcmpl-fake",
                ["object"] = "chat.completion.chunk",
                ["created"] = 1700000000,
                ["model"] = Model,
                ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = delta, ["finish_reason"] = null }),
            });
        }

        public async Task FinishAsync(string reason, int prompt, int completion)
        {
            await WriteAsync(new JsonObject
            {
                ["id"] = "chatcmpl-fake",
                ["object"] = "chat.completion.chunk",
                ["created"] = 1700000000,
                ["model"] = Model,
                ["choices"] = new JsonArray(new JsonObject { ["index"] = 0, ["delta"] = new JsonObject(), ["finish_reason"] = reason }),
            });
            await WriteAsync(new JsonObject
            {
                ["id"] = "chatcmpl-fake",
                ["object"] = "chat.completion.chunk",
                ["created"] = 1700000000,
                ["model"] = Model,
                ["choices"] = new JsonArray(),
                ["usage"] = new JsonObject { ["prompt_tokens"] = prompt, ["completion_tokens"] = completion, ["total_tokens"] = prompt + completion },
            });
            await response.WriteAsync("data: [DONE]\n\n");
            await response.Body.FlushAsync();
        }

        private async Task WriteAsync(JsonObject chunk)
        {
            await response.WriteAsync("data: " + chunk.ToJsonString() + "\n\n", Encoding.UTF8);
            await response.Body.FlushAsync();
        }
    }
}

/// <summary>One call the App Server made to the fake model.</summary>
public sealed class LlmRequest(string userText, string? toolResult, int messages, int tools)
{
    public string UserText { get; } = userText;

    public string? ToolResult { get; } = toolResult;

    public int Messages { get; } = messages;

    public int Tools { get; } = tools;

    private int _streamed;
    private string? _outcome;

    /// <summary>Words streamed so far by a <c>[slow N]</c> answer.</summary>
    public int Streamed { get => Volatile.Read(ref _streamed); set => Volatile.Write(ref _streamed, value); }

    /// <summary><c>completed</c>, <c>client closed</c>, <c>failed</c>, <c>dropped</c>; null while streaming.</summary>
    public string? Outcome { get => Volatile.Read(ref _outcome); set => Volatile.Write(ref _outcome, value); }
}
