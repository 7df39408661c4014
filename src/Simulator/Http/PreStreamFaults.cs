using System.Globalization;
using Microsoft.AspNetCore.Http;

namespace LettaSockets.Simulator.Http;

/// <summary>Acts out the faults that happen before any stream: error statuses, HTML pages, aborts, delays.</summary>
internal static class PreStreamFaults
{
    /// <summary>The status a fault answers with (0 for an abort); null when it lets the request through.</summary>
    public static int? AnswerStatus(SimFault fault) => fault.Kind switch
    {
        FaultKind.HttpError or FaultKind.HtmlError => fault.StatusCode,
        FaultKind.AbortConnection => 0,
        _ => null,
    };

    /// <summary>True when the fault answered (or dropped) the request; false when handling should go on.</summary>
    public static async Task<bool> ApplyAsync(HttpContext context, SimFault fault, string subjectId, TimeProvider time)
    {
        switch (fault.Kind)
        {
            case FaultKind.HttpError:
                SetRetryAfter(context, fault);
                var error = fault.Body is null ? ApiError.ForStatus(fault.StatusCode, subjectId) : new ApiError(fault.StatusCode, fault.Body);
                await HttpWrite.ErrorAsync(context, error with { StatusCode = fault.StatusCode }).ConfigureAwait(false);
                return true;

            case FaultKind.HtmlError:
                SetRetryAfter(context, fault);
                await HttpWrite.TextAsync(context, fault.StatusCode, fault.Body ?? HtmlPage(fault.StatusCode), "text/html; charset=utf-8")
                    .ConfigureAwait(false);
                return true;

            case FaultKind.AbortConnection:
                context.Abort();
                return true;

            case FaultKind.Delay:
                try
                {
                    await Task.Delay(fault.Delay, time, context.RequestAborted).ConfigureAwait(false);
                    return false;
                }
                catch (OperationCanceledException)
                {
                    return true;
                }

            default:
                return false;
        }
    }

    private static void SetRetryAfter(HttpContext context, SimFault fault)
    {
        if (fault.RetryAfterSeconds is { } seconds)
        {
            context.Response.Headers.RetryAfter = seconds.ToString(CultureInfo.InvariantCulture);
        }
    }

    private static string HtmlPage(int statusCode) => $"""
        <html>
        <head><title>{statusCode} Bad Gateway</title></head>
        <body>
        <center><h1>{statusCode} Bad Gateway</h1></center>
        <hr><center>nginx</center>
        </body>
        </html>
        """;
}
