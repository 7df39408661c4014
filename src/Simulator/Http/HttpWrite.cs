using System.Text;
using Microsoft.AspNetCore.Http;

namespace LettaSockets.Simulator.Http;

/// <summary>Small writers for non-streaming answers.</summary>
internal static class HttpWrite
{
    public const string JsonContentType = "application/json";

    public static Task ErrorAsync(HttpContext context, ApiError error) =>
        TextAsync(context, error.StatusCode, error.Body, JsonContentType);

    public static Task JsonAsync(HttpContext context, int statusCode, string json) =>
        TextAsync(context, statusCode, json, JsonContentType);

    public static async Task TextAsync(HttpContext context, int statusCode, string body, string contentType)
    {
        var bytes = Encoding.UTF8.GetBytes(body);
        context.Response.StatusCode = statusCode;
        context.Response.ContentType = contentType;
        context.Response.ContentLength = bytes.Length;
        try
        {
            await context.Response.Body.WriteAsync(bytes, context.RequestAborted).ConfigureAwait(false);
        }
        catch (OperationCanceledException) when (context.RequestAborted.IsCancellationRequested)
        {
            // The client left; nothing to answer.
        }
    }

    /// <summary>Reads the whole request body (the simulator's bodies are small).</summary>
    public static async Task<byte[]> ReadBodyAsync(HttpContext context)
    {
        using var buffer = new MemoryStream();
        await context.Request.Body.CopyToAsync(buffer, context.RequestAborted).ConfigureAwait(false);
        return buffer.ToArray();
    }
}
