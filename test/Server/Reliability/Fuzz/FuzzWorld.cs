using LettaSockets.Protocol.Json;
using Microsoft.Extensions.DependencyInjection;
using Microsoft.Extensions.Logging;

namespace LettaSockets.Server.Tests.Reliability.Fuzz;

/// <summary>
/// What every generated sequence runs against: one gateway on loopback in front of an upstream, four
/// agents the client's key may use (index 0 slow, 1 with tools or reasoning, 2 failing mid-stream, 3
/// asking approval) and one it may not (index 4), with objects of that foreign agent the fuzzer can name.
/// The upstream is the embedded simulator (<see cref="SimulatorFuzzWorld"/>) or the real Letta Code
/// App Server (<see cref="AppServerFuzzWorld"/>); the model's rules are the same for both.
/// </summary>
public abstract class FuzzWorld : IAsyncDisposable
{
    public const string ScopedKey = "fuzz-scoped-0123456789abcdef";
    public const string FullKey = "fuzz-full-0123456789abcdef";
    public const int MaxFrameBytes = 8 * 1024;
    public const int MaxContentChars = 2_000;

    protected FuzzWorld(TestGateway gateway, string[] agents, LogCapture logs)
    {
        Gateway = gateway;
        Agents = agents;
        Logs = logs;
        Gauges = new ActiveGauges(gateway.Services.GetRequiredService<System.Diagnostics.Metrics.IMeterFactory>());
    }

    /// <summary>Open connections and running turn pumps on the gateway, as absolute counts.</summary>
    public ActiveGauges Gauges { get; }

    /// <summary>The gateway's log, with the upstream client at Debug: what a failure report quotes.</summary>
    public LogCapture Logs { get; }

    public TestGateway Gateway { get; }

    /// <summary>Indexes 0..3: the key's agents; index 4: the foreign agent.</summary>
    public string[] Agents { get; }

    public string ForeignAgent => Agents[FuzzGenerators.ForeignAgent];

    /// <summary>A run of the foreign agent (set up once, with the unscoped key), where the upstream has run ids.</summary>
    public string? ForeignRunId { get; set; }

    /// <summary>A conversation of the foreign agent.</summary>
    public string? ForeignConversationId { get; set; }

    /// <summary>Whether the upstream replays runs: without it, <c>resume</c> and resumable messages are refused as <c>not_resumable</c>.</summary>
    public abstract bool Resumable { get; }

    /// <summary>Error codes a turn of the failing agent (index 2) may end with.</summary>
    public abstract IReadOnlySet<string> FailureCodes { get; }

    /// <summary>What a <c>message</c> to agent <paramref name="agent"/> says; <paramref name="foreign"/> when it names
    /// an object outside the key's scope (so the upstream's record shows whether it ever arrived).</summary>
    public abstract string ContentFor(int agent, bool foreign);

    /// <summary>How many inputs of objects outside the key's scope the upstream has received so far.</summary>
    public abstract int ForeignInputs();

    /// <summary>How many cancels of objects outside the key's scope the upstream has received so far.</summary>
    public abstract int ForeignCancels();

    /// <summary>After a session settled (every turn has its terminal frame): every turn the client
    /// cancelled is stopped in the upstream too, not only on the socket.</summary>
    public abstract Task CheckCancelsReachedUpstreamAsync(ServerFrame[] frames, DateTimeOffset[] arrivedAt);

    /// <summary>After a <c>POST /stream</c> client left before the end: that request's run is stopped upstream.</summary>
    public abstract Task CheckAbortedRunStoppedAsync(string runId, DateTimeOffset abortedAt, string request);

    /// <summary>Whether the upstream runs one turn at a time per conversation across all clients, so
    /// concurrent requests for one agent may be answered <c>busy</c> (Letta's API runs them side by side).</summary>
    public virtual bool OneTurnPerConversation => false;

    /// <summary>After a session or group: nothing of agents <paramref name="agents"/> still runs upstream.
    /// Worlds that check each run by its id (the simulator's journal) need nothing more.</summary>
    public virtual Task CheckUpstreamIdleAsync(int[] agents) => Task.CompletedTask;

    /// <summary>The gateway settings every world shares: two keys (one scoped to agents 0..3), no rate
    /// limits, small frame and content limits the generators cross on purpose.</summary>
    protected static Dictionary<string, string?> Settings(string[] agents)
    {
        var settings = new Dictionary<string, string?>
        {
            ["Auth:ApiKeys:0:Key"] = ScopedKey,
            ["Auth:ApiKeys:1:Key"] = FullKey,
            ["Limits:MessagesPerMinute"] = "1000000",
            ["Limits:MessageBurst"] = "1000000",
            ["Sockets:MaxFrameBytes"] = MaxFrameBytes.ToString(System.Globalization.CultureInfo.InvariantCulture),
            ["Sockets:MaxContentChars"] = MaxContentChars.ToString(System.Globalization.CultureInfo.InvariantCulture),
        };
        for (int i = 0; i < FuzzGenerators.Agents; i++)
        {
            settings[$"Auth:ApiKeys:0:Agents:{i}"] = agents[i];
        }

        return settings;
    }

    /// <summary>Quotes the gateway's log lines that name <paramref name="text"/>, for a failure message.</summary>
    public string LogLinesNaming(string text) =>
        string.Join(" | ", Logs.Entries.Where(e => e.Message.Contains(text, StringComparison.Ordinal)).Select(e => $"{e.Level} {e.Message}"));

    /// <summary>The gateway's log lines in a connection's scope (and the upstream adapter's, which log outside it), oldest first.</summary>
    public string ConnectionLog(string connectionId) =>
        string.Join("\n", Logs.Entries
            .Where(e => e.Scope.Values.Any(v => v?.ToString() == connectionId) || e.Category.Contains(".AppServer.", StringComparison.Ordinal) || e.Category.Contains(".Letta.", StringComparison.Ordinal))
            .TakeLast(80)
            .Select(e => $"  {e.Level} {e.Category.Split('.')[^1]}: {e.Message}{(e.Exception is null ? "" : " " + e.Exception.GetType().Name)}"));

    public string ErrorLog() =>
        string.Join("\n", Logs.Entries.Where(l => l.Level >= LogLevel.Error).Select(l => $"{l.Message} {l.Exception}"));

    public async ValueTask DisposeAsync()
    {
        await DisposeCoreAsync();
        GC.SuppressFinalize(this);
    }

    /// <summary>Stops what the world started: the gateway, and the upstream where the world owns one.</summary>
    protected virtual ValueTask DisposeCoreAsync()
    {
        Gauges.Dispose();
        return Gateway.DisposeAsync();
    }
}
