using LettaSockets.Simulator.Runs;
using LettaSockets.Simulator.Wire;
using Microsoft.AspNetCore.Http;
using Microsoft.Extensions.Logging;

namespace LettaSockets.Simulator.Http;

/// <summary>
/// Writes a run's frames as <c>text/event-stream</c>, each flushed on its own. Adds keepalive pings
/// after silence (Letta's keep-alive pings; their seq_id is the last one sent), and acts out transport faults. Only this
/// class touches the response body of a stream.
/// </summary>
internal sealed partial class SseResponder(SimulatorOptions options, TimeProvider time, ILogger logger)
{
    public const string ContentType = "text/event-stream; charset=utf-8";

    private static readonly TimeSpan s_cutOffGrace = TimeSpan.FromMilliseconds(100);

    private enum Next
    {
        Frame,
        KeepAlive,
        End,
    }

    public async Task WriteAsync(HttpContext context, IFrameSource source, StreamPlan plan, CancellationToken stopping)
    {
        var response = context.Response;
        response.StatusCode = StatusCodes.Status200OK;
        response.ContentType = ContentType;
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(context.RequestAborted, stopping);
        var cancellation = linked.Token;
        var fault = plan.Fault;
        var written = 0;
        var garbageSent = false;
        long? lastSeq = null;
        try
        {
            while (true)
            {
                if (fault?.Kind == FaultKind.Stall && written >= fault.AfterEvents)
                {
                    await StallAsync(response, plan.RunId, cancellation).ConfigureAwait(false);
                    return;
                }

                if (fault?.Kind == FaultKind.GarbageLines && !garbageSent && written >= fault.AfterEvents)
                {
                    garbageSent = true;
                    if (!await SendAsync(response, SseFrames.Garbage, cancellation).ConfigureAwait(false))
                    {
                        return;
                    }
                }

                if (!source.TryRead(out var chunk))
                {
                    var next = await WaitAsync(source, plan.IncludePings, cancellation).ConfigureAwait(false);
                    if (next == Next.End)
                    {
                        return;
                    }

                    if (next == Next.KeepAlive)
                    {
                        var ping = new FrameWriter(time).Ping(plan.RunId, lastSeq);
                        if (!await SendAsync(response, ping, cancellation).ConfigureAwait(false))
                        {
                            return;
                        }

                        written++;
                    }

                    continue;
                }

                if (fault?.Kind == FaultKind.SlowStream)
                {
                    await Task.Delay(fault.Delay, time, cancellation).ConfigureAwait(false);
                }

                if (fault?.Kind == FaultKind.CutOffMidEvent && written >= fault.AfterEvents)
                {
                    Log.CuttingOff(logger, plan.RunId, written);
                    await SendAsync(response, chunk.Frame[..Math.Max(1, chunk.Frame.Length / 2)], cancellation).ConfigureAwait(false);

                    // The abort resets the connection, and a reset discards whatever the client has not read yet:
                    // give it a moment to receive the half event first.
                    await Task.Delay(s_cutOffGrace, time, cancellation).ConfigureAwait(false);
                    context.Abort();
                    return;
                }

                if (!await SendAsync(response, chunk.Frame, cancellation).ConfigureAwait(false))
                {
                    return;
                }

                written++;
                lastSeq = chunk.SeqId ?? lastSeq;
            }
        }
        catch (OperationCanceledException) when (cancellation.IsCancellationRequested)
        {
            Log.ClientGone(logger, plan.RunId);
        }
        catch (IOException)
        {
            Log.ClientGone(logger, plan.RunId);
        }
    }

    private async ValueTask<Next> WaitAsync(IFrameSource source, bool includePings, CancellationToken cancellation)
    {
        if (!includePings)
        {
            return await source.WaitToReadAsync(cancellation).ConfigureAwait(false) ? Next.Frame : Next.End;
        }

        using var silence = new CancellationTokenSource(options.KeepAliveInterval, time);
        using var linked = CancellationTokenSource.CreateLinkedTokenSource(cancellation, silence.Token);
        try
        {
            return await source.WaitToReadAsync(linked.Token).ConfigureAwait(false) ? Next.Frame : Next.End;
        }
        catch (OperationCanceledException) when (silence.IsCancellationRequested && !cancellation.IsCancellationRequested)
        {
            return Next.KeepAlive;
        }
    }

    /// <summary>Headers out, then nothing at all — no data, no keepalive — until the client gives up.</summary>
    private async Task StallAsync(HttpResponse response, string runId, CancellationToken cancellation)
    {
        Log.Stalling(logger, runId);
        await response.StartAsync(cancellation).ConfigureAwait(false);
        await response.Body.FlushAsync(cancellation).ConfigureAwait(false);
        await Task.Delay(Timeout.Infinite, cancellation).ConfigureAwait(false);
    }

    private static async ValueTask<bool> SendAsync(HttpResponse response, ReadOnlyMemory<byte> frame, CancellationToken cancellation)
    {
        var result = await response.BodyWriter.WriteAsync(frame, cancellation).ConfigureAwait(false);
        return !result.IsCanceled && !result.IsCompleted;
    }
}
