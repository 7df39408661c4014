using System.Net.WebSockets;
using Microsoft.Extensions.Logging;

namespace LettaSockets.Client;

/// <summary>Options of <see cref="LettaSocketsClient.ConnectAsync"/>; the defaults suit a client of one gateway.</summary>
public sealed class LettaSocketsClientOptions
{
    /// <summary>A client key, sent as <c>Authorization: Bearer</c> (docs/PROTOCOL.md, "Connecting").</summary>
    public string? Key { get; set; }

    /// <summary>Whether messages ask for resumable turns; <see cref="MessageRequest.Resumable"/> wins for one message.</summary>
    public ResumableMode Resumable { get; set; } = ResumableMode.ServerDefault;

    /// <summary>Reopen the socket after a loss (and resume resumable turns). Off: a loss closes the client.</summary>
    public bool Reconnect { get; set; } = true;

    /// <summary>First backoff; it doubles per failed attempt up to <see cref="ReconnectMaxDelay"/>, half of it random.</summary>
    public TimeSpan ReconnectBaseDelay { get; set; } = TimeSpan.FromMilliseconds(500);

    public TimeSpan ReconnectMaxDelay { get; set; } = TimeSpan.FromSeconds(15);

    /// <summary>Bound on one attempt: the upgrade and the <c>ready</c> frame.</summary>
    public TimeSpan ConnectTimeout { get; set; } = TimeSpan.FromSeconds(30);

    /// <summary>How long a cancelled enumeration waits for the server's <c>done</c> before it ends with its own.</summary>
    public TimeSpan CancelTimeout { get; set; } = TimeSpan.FromSeconds(10);

    /// <summary>WebSocket ping interval; a peer that does not answer within <see cref="KeepAliveTimeout"/> is dropped.</summary>
    public TimeSpan KeepAliveInterval { get; set; } = TimeSpan.FromSeconds(20);

    public TimeSpan KeepAliveTimeout { get; set; } = TimeSpan.FromSeconds(20);

    /// <summary>Largest server frame kept; a larger one is skipped. The server's are far smaller (16 Ki characters of text).</summary>
    public int MaxReceiveBytes { get; set; } = 1024 * 1024;

    /// <summary>Prefix of the request ids the client assigns.</summary>
    public string? IdPrefix { get; set; }

    public ILogger? Logger { get; set; }

    public TimeProvider TimeProvider { get; set; } = TimeProvider.System;

    /// <summary>Anything else about the socket (a proxy, certificates, headers).</summary>
    public Action<ClientWebSocketOptions>? ConfigureWebSocket { get; set; }
}
