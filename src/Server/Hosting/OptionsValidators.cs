using LettaSockets.Protocol.Frames;
using LettaSockets.Server.Connections;
using LettaSockets.Server.Sockets;
using Microsoft.Extensions.Options;
using LettaSockets.Server.Upstream;

namespace LettaSockets.Server.Hosting;

/// <summary>Checks the Letta settings at start-up and reports every problem at once.</summary>
public sealed class LettaOptionsValidator : IValidateOptions<LettaOptions>
{
    public ValidateOptionsResult Validate(string? name, LettaOptions o)
    {
        var errors = new List<string>();
        Uri? url = null;
        if (!o.UsesEmbeddedSimulator && (!Uri.TryCreate(o.BaseUrl, UriKind.Absolute, out url) || url.Scheme is not ("http" or "https" or "ws" or "wss")))
        {
            errors.Add($"Letta:BaseUrl must be an absolute http(s) URL (Letta's HTTP API) or ws(s) URL (the App Server's WebSocket) (got '{o.BaseUrl}').");
        }
        else if (o.UsesAppServer && string.IsNullOrWhiteSpace(o.ApiKey) && !url!.IsLoopback)
        {
            errors.Add("Letta:ApiKey must hold the App Server's capability token: an App Server that listens beyond loopback requires one.");
        }
        else if (o.UsesAppServer && (!string.IsNullOrEmpty(url!.UserInfo) || !string.IsNullOrEmpty(url.Query)))
        {
            errors.Add("Letta:BaseUrl must not carry credentials or a query: the App Server takes its token only as a bearer header (Letta:ApiKey).");
        }

        if (!string.IsNullOrEmpty(o.DefaultAgentId) && !AgentIds.IsValid(o.DefaultAgentId))
        {
            errors.Add("Letta:DefaultAgentId must be 1 to 128 letters, digits, '-' or '_'.");
        }

        Positive(errors, "Letta:IdleTimeout", o.IdleTimeout);
        Positive(errors, "Letta:OpenTimeout", o.OpenTimeout);
        Positive(errors, "Letta:CancelTimeout", o.CancelTimeout);
        Positive(errors, "Letta:WindDownTimeout", o.WindDownTimeout);
        if (o.MaxRetries is < 0 or > 10)
        {
            errors.Add("Letta:MaxRetries must be between 0 and 10.");
        }

        if (o.WarmUpTimeout <= TimeSpan.Zero || o.WarmUpTimeout > TimeSpan.FromHours(1))
        {
            errors.Add("Letta:WarmUpTimeout must be a positive duration of at most 01:00:00 (e.g. 00:00:03).");
        }

        if (o.WarmConnections is < 0 or > LettaOptions.MaxWarmConnections)
        {
            errors.Add($"Letta:WarmConnections must be between 0 and {LettaOptions.MaxWarmConnections}.");
        }

        if (o.RetryBaseDelay < TimeSpan.Zero)
        {
            errors.Add("Letta:RetryBaseDelay must not be negative.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }

    internal static void Positive(List<string> errors, string key, TimeSpan value)
    {
        if (value <= TimeSpan.Zero)
        {
            errors.Add($"{key} must be a positive duration (e.g. 00:00:30).");
        }
    }
}

/// <summary>Checks the App Server settings at start-up and reports every problem at once.</summary>
public sealed class AppServerOptionsValidator : IValidateOptions<AppServer.AppServerOptions>
{
    public ValidateOptionsResult Validate(string? name, AppServer.AppServerOptions o)
    {
        var errors = new List<string>();
        if (!AppServer.AppServerOptions.PermissionModes.Contains(o.PermissionMode, StringComparer.Ordinal))
        {
            errors.Add($"AppServer:PermissionMode must be one of {string.Join(", ", AppServer.AppServerOptions.PermissionModes)} (got '{o.PermissionMode}').");
        }

        LettaOptionsValidator.Positive(errors, "AppServer:ConnectTimeout", o.ConnectTimeout);
        LettaOptionsValidator.Positive(errors, "AppServer:AckTimeout", o.AckTimeout);
        LettaOptionsValidator.Positive(errors, "AppServer:HeartbeatInterval", o.HeartbeatInterval);
        LettaOptionsValidator.Positive(errors, "AppServer:ReconnectBaseDelay", o.ReconnectBaseDelay);
        LettaOptionsValidator.Positive(errors, "AppServer:KeepAliveInterval", o.KeepAliveInterval);
        LettaOptionsValidator.Positive(errors, "AppServer:KeepAliveTimeout", o.KeepAliveTimeout);
        LettaOptionsValidator.Positive(errors, "AppServer:ApprovalTimeout", o.ApprovalTimeout);
        if (o.ReconnectMaxDelay < o.ReconnectBaseDelay)
        {
            errors.Add("AppServer:ReconnectMaxDelay must be at least AppServer:ReconnectBaseDelay.");
        }

        if (o.MaxRuntimes < 1)
        {
            errors.Add("AppServer:MaxRuntimes must be at least 1.");
        }

        if (o.MaxBufferedEventsPerTurn < 16)
        {
            errors.Add("AppServer:MaxBufferedEventsPerTurn must be at least 16.");
        }

        if (o.MaxFrameBytes < 64 * 1024)
        {
            errors.Add("AppServer:MaxFrameBytes must be at least 65536 (agent snapshots are tens of KB).");
        }

        if (o.ToolAllowList?.Any(string.IsNullOrWhiteSpace) == true)
        {
            errors.Add("AppServer:ToolAllowList must not contain empty names.");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}

/// <summary>Checks the socket limits at start-up and reports every problem at once.</summary>
public sealed class SocketOptionsValidator : IValidateOptions<SocketOptions>
{
    public ValidateOptionsResult Validate(string? name, SocketOptions o)
    {
        var errors = new List<string>();
        if (o.MaxFrameBytes is < 256 or > 16 * 1024 * 1024)
        {
            errors.Add("Sockets:MaxFrameBytes must be between 256 and 16777216.");
        }

        if (o.MaxContentChars < 1)
        {
            errors.Add("Sockets:MaxContentChars must be at least 1.");
        }

        if (o.MaxActiveTurns < 1)
        {
            errors.Add("Sockets:MaxActiveTurns must be at least 1.");
        }

        if (o.OutboundQueueCapacity < 8)
        {
            errors.Add("Sockets:OutboundQueueCapacity must be at least 8.");
        }

        if (o.MaxQueuedBytes < 16 * 1024)
        {
            errors.Add("Sockets:MaxQueuedBytes must be at least 16384.");
        }

        if (o.MaxPacedBytes < 4 * 1024)
        {
            errors.Add("Sockets:MaxPacedBytes must be at least 4096.");
        }

        if (o.MaxMergedChunks < 1)
        {
            errors.Add("Sockets:MaxMergedChunks must be at least 1.");
        }

        LettaOptionsValidator.Positive(errors, "Sockets:StallTimeout", o.StallTimeout);
        if (o.FollowPollInterval < TimeSpan.FromMilliseconds(100))
        {
            errors.Add("Sockets:FollowPollInterval must be at least 00:00:00.1 (each follow asks Letta once per interval).");
        }

        if (o.MaxFollows is < 0 or > 64)
        {
            errors.Add("Sockets:MaxFollows must be between 0 and 64.");
        }
        LettaOptionsValidator.Positive(errors, "Sockets:KeepAliveInterval", o.KeepAliveInterval);
        LettaOptionsValidator.Positive(errors, "Sockets:KeepAliveTimeout", o.KeepAliveTimeout);
        LettaOptionsValidator.Positive(errors, "Sockets:CloseTimeout", o.CloseTimeout);
        if (o.DrainTimeout < TimeSpan.Zero)
        {
            errors.Add("Sockets:DrainTimeout must not be negative.");
        }

        if (o.DefaultMaxCharsPerSecond is <= 0 || o.MaxCharsPerSecondLimit is <= 0)
        {
            errors.Add("Sockets:DefaultMaxCharsPerSecond and Sockets:MaxCharsPerSecondLimit must be positive when set (leave them empty for no pacing / no cap).");
        }

        return errors.Count == 0 ? ValidateOptionsResult.Success : ValidateOptionsResult.Fail(errors);
    }
}
