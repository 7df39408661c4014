using System.Text;
using Microsoft.AspNetCore.Http;

namespace LettaSockets.Simulator.Http;

/// <summary>The <c>streaming:false</c> answer: <c>{"messages":[…],"stop_reason":{…},"usage":{…}}</c> once the run ends.</summary>
internal static class BlockingResponse
{
    private const string EmptyUsage =
        "{\"message_type\":\"usage_statistics\",\"completion_tokens\":0,\"prompt_tokens\":0,\"total_tokens\":0,\"step_count\":0," +
        "\"run_ids\":null,\"cached_input_tokens\":null,\"cache_write_tokens\":null,\"reasoning_tokens\":null,\"context_tokens\":null}";

    public static async Task WriteAsync(HttpContext context, SimRun run, CancellationToken stopping)
    {
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        try
        {
            await run.Completion.WaitAsync(linked.Token).ConfigureAwait(false);
        }
        catch (OperationCanceledException)
        {
            // The client left (the run goes on) or the host is stopping.
            return;
        }

        var messages = new List<string>();
        string? stopReason = null;
        string? usage = null;
        foreach (var chunk in run.Chunks)
        {
            switch (chunk.Kind)
            {
                case RunChunkKind.Message:
                    messages.Add(chunk.Json!);
                    break;
                case RunChunkKind.StopReason:
                    stopReason = chunk.Json;
                    break;
                case RunChunkKind.Usage:
                    usage = chunk.Json;
                    break;
            }
        }

        var body = new StringBuilder("{\"messages\":[")
            .AppendJoin(',', messages)
            .Append("],\"stop_reason\":")
            .Append(stopReason ?? $"{{\"message_type\":\"stop_reason\",\"stop_reason\":\"{run.StopReason ?? "error"}\"}}")
            .Append(",\"usage\":")
            .Append(usage ?? EmptyUsage)
            .Append('}');
        await HttpWrite.JsonAsync(context, StatusCodes.Status200OK, body.ToString()).ConfigureAwait(false);
    }
}
