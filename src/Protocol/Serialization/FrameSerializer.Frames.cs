using System.Diagnostics;
using LettaSockets.Protocol.Chunks;
using LettaSockets.Protocol.Frames;

namespace LettaSockets.Protocol.Serialization;

// The rarer frames: one of each per turn or per connection, so clarity beats micro-optimisation.
public sealed partial class FrameSerializer
{
    private void WriteReady(ReadyInfo ready)
    {
        _json.WriteString("type"u8, "ready"u8);
        _json.WriteString("protocol"u8, ProtocolInfo.SubProtocol);
        _json.WriteString("connection_id"u8, ready.ConnectionId);
        if (ready.AgentId is null)
        {
            _json.WriteNull("agent_id"u8);
        }
        else
        {
            _json.WriteString("agent_id"u8, ready.AgentId);
        }

        _json.WriteBoolean("resumable"u8, ready.Resumable);
        _json.WriteBoolean("conversations"u8, ready.Conversations);
        _json.WriteStartObject("limits"u8);
        _json.WriteNumber("max_frame_bytes"u8, ready.MaxFrameBytes);
        _json.WriteNumber("max_content_chars"u8, ready.MaxContentChars);
        _json.WriteNumber("max_active_turns"u8, ready.MaxActiveTurns);
        _json.WriteEndObject();
        _json.WriteStartObject("server"u8);
        _json.WriteString("name"u8, ProtocolInfo.ServerName);
        _json.WriteString("version"u8, ready.ServerVersion);
        if (ready.ServerInstance is not null)
        {
            _json.WriteString("instance"u8, ready.ServerInstance);
        }

        _json.WriteEndObject();
    }

    private void WriteStatus(in StreamChunk chunk)
    {
        WriteHeader("status"u8, chunk.Turn);
        _json.WriteString("status"u8, chunk.Status switch
        {
            StatusKind.Thinking => "thinking"u8,
            StatusKind.Running => "running"u8,
            StatusKind.ToolRunning => "tool_running"u8,
            _ => "working"u8,
        });
        if (chunk.Status == StatusKind.Working)
        {
            _json.WriteNumber("elapsed_ms"u8, chunk.ElapsedMs);
        }

        if (chunk.Status == StatusKind.ToolRunning && chunk.MessageId is not null)
        {
            _json.WriteString("tool_call_id"u8, chunk.MessageId);
        }

        WriteSeq(chunk.Seq);
    }

    private void WriteToolResult(in StreamChunk chunk)
    {
        var result = (ToolResultInfo)chunk.Payload!;
        WriteHeader("tool_result"u8, chunk.Turn);
        _json.WriteString("tool_call_id"u8, result.ToolCallId);
        WriteStringOrNull("name"u8, result.Name);
        _json.WriteString("status"u8, result.Status);
        WriteStringOrNull("result"u8, result.Result);
        WriteLines("stdout"u8, result.Stdout);
        WriteLines("stderr"u8, result.Stderr);
        WriteSeq(chunk.Seq);
    }

    private void WriteApproval(in StreamChunk chunk)
    {
        var approval = (ApprovalInfo)chunk.Payload!;
        WriteHeader("approval_request"u8, chunk.Turn);
        _json.WriteString("tool_call_id"u8, approval.ToolCallId);
        WriteStringOrNull("name"u8, approval.Name);
        _json.WriteString("arguments"u8, approval.Arguments);
        WriteSeq(chunk.Seq);
    }

    private void WriteDone(in StreamChunk chunk)
    {
        var done = (DoneInfo)chunk.Payload!;
        var turn = chunk.Turn!;
        WriteHeader("done"u8, turn);
        _json.WriteString("stop_reason"u8, done.StopReason);
        if (done.CancelledBy.ToWire() is { } by)
        {
            _json.WriteString("cancelled_by"u8, by);
        }

        if (done.Usage is { } usage)
        {
            WriteUsage(usage);
        }

        WriteMetrics(turn, done);
        WriteSeq(chunk.Seq);
    }

    private void WriteUsage(UsageInfo usage)
    {
        _json.WriteStartObject("usage"u8);
        WriteOptional("prompt_tokens"u8, usage.PromptTokens);
        WriteOptional("completion_tokens"u8, usage.CompletionTokens);
        WriteOptional("total_tokens"u8, usage.TotalTokens);
        WriteOptional("step_count"u8, usage.StepCount);
        WriteOptional("cached_input_tokens"u8, usage.CachedInputTokens);
        WriteOptional("cache_write_tokens"u8, usage.CacheWriteTokens);
        WriteOptional("reasoning_tokens"u8, usage.ReasoningTokens);
        WriteOptional("context_tokens"u8, usage.ContextTokens);
        _json.WriteEndObject();
    }

    private void WriteMetrics(TurnInfo turn, DoneInfo done)
    {
        TurnMetrics counted = done.Metrics;
        double durationMs = Stopwatch.GetElapsedTime(turn.StartedTimestamp, done.EndedTimestamp).TotalMilliseconds;
        _json.WriteStartObject("metrics"u8);
        if (counted.FirstContentTimestamp != 0)
        {
            double ttftMs = Stopwatch.GetElapsedTime(turn.StartedTimestamp, counted.FirstContentTimestamp).TotalMilliseconds;
            _json.WriteNumber("ttft_ms"u8, Math.Round(ttftMs, 1));
            double generationSeconds = Stopwatch.GetElapsedTime(counted.FirstContentTimestamp, done.EndedTimestamp).TotalSeconds;
            long tokens = done.Usage?.CompletionTokens ?? counted.Chunks;
            _json.WriteNumber("tokens_per_second"u8, generationSeconds > 0 ? Math.Round(tokens / generationSeconds, 1) : 0);
        }
        else
        {
            _json.WriteNull("ttft_ms"u8);
            _json.WriteNumber("tokens_per_second"u8, 0);
        }

        _json.WriteNumber("duration_ms"u8, Math.Round(durationMs, 1));
        _json.WriteNumber("chunks"u8, counted.Chunks);
        _json.WriteNumber("frames"u8, counted.Frames);
        _json.WriteNumber("output_chars"u8, counted.OutputChars);
        _json.WriteEndObject();
    }

    private void WriteError(in StreamChunk chunk)
    {
        var error = (ErrorInfo)chunk.Payload!;
        _json.WriteString("type"u8, "error"u8);
        string? id = chunk.Turn?.Id ?? error.Id;
        if (id is not null)
        {
            _json.WriteString("id"u8, id);
        }

        if ((chunk.Turn?.AgentId ?? error.AgentId) is { } agentId)
        {
            _json.WriteString("agent_id"u8, agentId);
        }

        if (chunk.Turn?.RunId is { } runId)
        {
            _json.WriteString("run_id"u8, runId);
        }

        _json.WriteString("code"u8, error.Code);
        _json.WriteString("message"u8, error.Message);
        _json.WriteBoolean("retryable"u8, error.Retryable);
        WriteOptional("retry_after_ms"u8, error.RetryAfterMs);
        if (error.StopReason is not null)
        {
            _json.WriteString("stop_reason"u8, error.StopReason);
        }

        if (error.Detail is not null)
        {
            _json.WriteString("detail"u8, error.Detail);
        }

        WriteSeq(chunk.Seq);
    }

    private void WritePong(in StreamChunk chunk)
    {
        _json.WriteString("type"u8, "pong"u8);
        if (chunk.MessageId is not null)
        {
            _json.WriteString("id"u8, chunk.MessageId);
        }
    }

    private void WriteShutdown(ShutdownInfo shutdown)
    {
        _json.WriteString("type"u8, "shutdown"u8);
        _json.WriteString("reason"u8, shutdown.Reason);
        _json.WriteStartArray("resume"u8);
        foreach (var cursor in shutdown.Resume)
        {
            _json.WriteStartObject();
            _json.WriteString("id"u8, cursor.Id);
            _json.WriteString("run_id"u8, cursor.RunId);
            _json.WriteNumber("after_seq"u8, cursor.AfterSeq);
            _json.WriteEndObject();
        }

        _json.WriteEndArray();
    }

    private void WriteFollowing(FollowInfo follow)
    {
        _json.WriteString("type"u8, "following"u8);
        _json.WriteString("id"u8, follow.Id);
        _json.WriteString("agent_id"u8, follow.AgentId);
        WriteStringOrNull("conversation_id"u8, follow.ConversationId);
    }

    private void WriteHistory(HistoryInfo history)
    {
        _json.WriteString("type"u8, "history"u8);
        _json.WriteString("id"u8, history.Id);
        _json.WriteString("agent_id"u8, history.AgentId);
        WriteStringOrNull("conversation_id"u8, history.ConversationId);
        _json.WriteStartArray("messages"u8);
        foreach (HistoryItem item in history.Messages)
        {
            _json.WriteStartObject();
            _json.WriteString("type"u8, item.Type);
            _json.WriteString("message_id"u8, item.MessageId);
            if (item.RunId is not null)
            {
                _json.WriteString("run_id"u8, item.RunId);
            }

            if (item.Date is not null)
            {
                _json.WriteString("date"u8, item.Date);
            }

            switch (item.Type)
            {
                case "tool_call" or "approval_request":
                    _json.WriteString("tool_call_id"u8, item.ToolCallId);
                    _json.WriteString("name"u8, item.Name);
                    _json.WriteString("arguments"u8, item.Content ?? string.Empty);
                    break;
                case "tool_result":
                    _json.WriteString("tool_call_id"u8, item.ToolCallId);
                    _json.WriteString("name"u8, item.Name);
                    _json.WriteString("status"u8, item.Status ?? "success");
                    _json.WriteString("result"u8, item.Content ?? string.Empty);
                    break;
                case "reasoning":
                    _json.WriteBoolean("hidden"u8, item.Hidden);
                    _json.WriteString("content"u8, item.Content ?? string.Empty);
                    break;
                default:
                    _json.WriteString("content"u8, item.Content ?? string.Empty);
                    break;
            }

            _json.WriteEndObject();
        }

        _json.WriteEndArray();
        _json.WriteBoolean("has_more"u8, history.HasMore);
        WriteStringOrNull("before"u8, history.Before);
    }

    private void WriteOptional(ReadOnlySpan<byte> name, long? value)
    {
        if (value is { } v)
        {
            _json.WriteNumber(name, v);
        }
    }

    private void WriteStringOrNull(ReadOnlySpan<byte> name, string? value)
    {
        if (value is null)
        {
            _json.WriteNull(name);
        }
        else
        {
            _json.WriteString(name, value);
        }
    }

    private void WriteLines(ReadOnlySpan<byte> name, IReadOnlyList<string>? lines)
    {
        if (lines is null)
        {
            _json.WriteNull(name);
            return;
        }

        _json.WriteStartArray(name);
        foreach (string line in lines)
        {
            _json.WriteStringValue(line);
        }

        _json.WriteEndArray();
    }
}
